/// PostgreSQL array literals, for binding a list of values as one parameter (`= ANY($1::text[])`).
enum PostgresArray {
    /// A text array literal: `{"a","b \\"c\\""}`, quotes and backslashes escaped.
    /// - Parameter values: the elements.
    static func text(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
