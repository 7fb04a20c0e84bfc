import EnergizeCore
import Foundation
import Logging
import PGSink

/// Shows what a running pipeline does: on a terminal, one live line per stream (documents,
/// documents per second, ETA from the collection's estimated count); off a terminal or with
/// `--log-format json`, a log line when a stream starts, retries and finishes (each batch with
/// `--verbose`), with the stream and counts as metadata.
final class ProgressPrinter: @unchecked Sendable {
    // @unchecked Sendable: all state is guarded by `lock`; events arrive from stream threads.
    private let lock = NSLock()
    private let enabled: Bool
    private let terminal: Bool
    private let logger: Logger
    /// A table of every stream is printed after the run: log only failures and retries then.
    private let summaryFollows: Bool
    private var started: [String: Date] = [:]
    private var estimates: [String: Int] = [:]
    private var counts: [String: Int] = [:]
    private var lastDraw = Date.distantPast

    /// - Parameters:
    ///   - enabled: false prints nothing (`--quiet`).
    ///   - live: draw a live line when standard output is a terminal (text logs only).
    init(enabled: Bool, live: Bool = true, summaryFollows: Bool = false, logger: Logger = Logger(label: "energize")) {
        self.enabled = enabled
        self.summaryFollows = summaryFollows
        self.terminal = live && isatty(STDOUT_FILENO) == 1
        self.logger = logger
    }

    func handle(_ event: PipelineEvent) {
        guard enabled else { return }
        lock.withLock {
            switch event {
            case .streamStarted(let stream, let estimate):
                started[stream] = Date()
                estimates[stream] = estimate
                counts[stream] = 0
                if !terminal {
                    logger.debug("stream started", metadata: ["stream": "\(stream)", "mongo.estimated_count": "\(estimate.map(String.init) ?? "unknown")"])
                }
            case .streamProgress(let stream, let read, let rejected):
                counts[stream] = read
                if terminal && Date().timeIntervalSince(lastDraw) > 0.25 { draw() }
                logger.debug("batch loaded", metadata: ["stream": "\(stream)", "rows.read": "\(read)", "rows.rejected": "\(rejected)"])
            case .streamRetrying(let stream, let attempt, let delay, let error):
                clearLine()
                logger.warning("stream attempt failed; retrying", metadata: [
                    "stream": "\(stream)", "attempt": "\(attempt)", "retry.delay_seconds": "\(String(format: "%.1f", delay))", "error": "\(error)"])
            case .streamFinished(let report):
                clearLine()
                counts[report.stream] = nil
                if (!terminal && !summaryFollows) || report.status != .succeeded {
                    var metadata: Logger.Metadata = [
                        "stream": "\(report.stream)", "status": "\(report.status.rawValue)", "rows.read": "\(report.rowsRead)",
                        "rows.loaded": "\(report.outcome?.rowsLoaded ?? 0)", "rows.rejected": "\(report.rowsRejected)",
                        "attempts": "\(report.attempts)", "duration_seconds": "\(String(format: "%.3f", report.durationSeconds))"]
                    // A succeeded stream's error is one a retry overcame: said as such, not as an error.
                    if let error = report.error { metadata[report.status == .succeeded ? "overcome_error" : "error"] = "\(error)" }
                    if let watermark = report.outcome?.watermarkAfter.flatMap(ValueText.display) { metadata["watermark.after"] = "\(watermark)" }
                    if report.status == .succeeded { logger.info("stream finished", metadata: metadata) } else { logger.error("stream finished", metadata: metadata) }
                }
            }
        }
    }

    /// Clears the live line before the summary.
    func finish() {
        lock.withLock { clearLine() }
    }

    private func draw() {
        lastDraw = Date()
        let parts = counts.keys.sorted().map { stream -> String in
            let read = counts[stream] ?? 0
            let elapsed = max(Date().timeIntervalSince(started[stream] ?? Date()), 0.001)
            let rate = Double(read) / elapsed
            var text = "\(stream) \(read)"
            if let estimate = estimates[stream], estimate > 0 {
                let eta = rate > 0 ? "\(Int(Double(max(estimate - read, 0)) / rate))s" : "?"
                text += "/\(estimate) \(Int(rate))/s ETA \(eta)"
            } else {
                text += " \(Int(rate))/s"
            }
            return text
        }
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K  " + parts.joined(separator: " | ")).utf8))
    }

    private func clearLine() {
        if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }
}
