import Logging

/// Where the warehouse steps report: text lines, or structured log records with `--log-format json`.
struct Reporter: Sendable {
    var json = false
    var quiet = false
    var logger = Logger(label: "energize")

    /// A detail line (hidden with `--quiet`).
    func detail(_ text: @autoclosure () -> String, _ metadata: @autoclosure () -> Logger.Metadata = [:], message: String = "") {
        if json { logger.info("\(message.isEmpty ? text() : message)", metadata: metadata()) } else if !quiet { print(text()) }
    }

    /// A line always shown.
    func summary(_ text: String, _ metadata: Logger.Metadata = [:]) {
        if json { logger.info("\(text)", metadata: metadata) } else { print(text) }
    }

    /// A failure, always shown.
    func failure(_ text: String, _ metadata: Logger.Metadata = [:]) {
        if json { logger.error("\(text)", metadata: metadata) } else { print(text) }
    }
}
