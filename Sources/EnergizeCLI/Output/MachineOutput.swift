import Foundation

/// The conventions of every JSON energize prints for machines (`status --json`, `ls --json`,
/// serve's `/health`): keys in snake case, and times as ISO 8601 in UTC (`2026-12-04T23:46:26Z`),
/// one zone whatever the project's.
enum MachineOutput {
    /// `value` as pretty-printed JSON, keys sorted and in snake case.
    /// - Parameter value: what to print.
    /// - Returns: the JSON text.
    static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }

    /// A SQL expression of a `timestamptz` expression as ISO 8601 text in UTC (NULL stays NULL).
    /// - Parameter expression: SQL of a `timestamptz` value.
    static func utcSQL(_ expression: String) -> String {
        "to_char((\(expression)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    /// `date` as ISO 8601 text in UTC, to the second.
    /// - Parameter date: a moment.
    static func utc(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// An ISO 8601 UTC time as people read it in a table whose heading says UTC: `2026-12-04 23:46:26`.
    /// - Parameter iso: a time from ``utcSQL(_:)``.
    static func readable(_ iso: String) -> String {
        iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }
}
