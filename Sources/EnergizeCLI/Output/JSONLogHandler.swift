import Foundation
import Logging

/// A swift-log handler writing one JSON object per line to standard output:
/// `{"ts": "...", "level": "info", "label": "energize", "msg": "...", "stream": "orders", ...}`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "ts": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue, "label": label,
            "msg": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.plain(value)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// A metadata value as JSON: numbers (`"42"`, `"0.039"`) as JSON numbers, the rest as it is.
    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): number(text) ?? text
        case .stringConvertible(let convertible): number(convertible.description) ?? convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    /// The number a text spells in canonical form (`42`, `-7`, `0.039`), or nil (`007`, `1e3`, `2025-01-01`).
    static func number(_ text: String) -> Any? {
        if let integer = Int64(text), String(integer) == text { return integer }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let whole = Int64(parts[0]), String(whole) == parts[0] || parts[0] == "-0",
              !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber), let value = Double(text) else { return nil }
        return value
    }
}

/// How the CLI logs: `--log-format text|json`, `--quiet`, `--verbose`.
enum LogSetup {
    nonisolated(unsafe) private static var bootstrapped = false

    /// Bootstraps swift-log once per process.
    static func bootstrap(json: Bool, level: Logger.Level) {
        guard !bootstrapped else { return }
        bootstrapped = true
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
