/// PostgreSQL array literals, for binding a list of values as one parameter (`= ANY($1::text[])`).
package enum PostgresArray {
    /// A text array literal: `{"a","b \\"c\\""}`, quotes and backslashes escaped.
    /// - Parameter values: the elements.
    package static func text(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
