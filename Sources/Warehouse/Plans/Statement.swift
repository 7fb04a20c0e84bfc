/// One SQL statement ready to run: text with numbered placeholders (`$1::bigint`) and the
/// named, typed values bound to them.
public struct Statement: Sendable, Hashable, CustomStringConvertible {
    /// A value bound to a placeholder.
    public struct Parameter: Sendable, Hashable {
        /// The parameter's name (`run_id`).
        public var name: String
        /// Its PostgreSQL type.
        public var type: String
        /// Its value as text; nil for NULL.
        public var value: String?

        /// A value bound to a placeholder.
        /// - Parameters:
        ///   - name: the parameter's name (`run_id`), for reading a plan.
        ///   - type: the PostgreSQL type of its placeholder (`bigint`).
        ///   - value: its value as text; nil for NULL.
        public init(name: String, type: String, value: String?) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    /// The SQL, with `$n::type` placeholders.
    public var text: String
    /// The values of `$1`, `$2`, …, in order.
    public var parameters: [Parameter]

    /// A statement.
    /// - Parameters:
    ///   - text: the SQL with `$n` placeholders.
    ///   - parameters: the values of the placeholders, in order.
    public init(text: String, parameters: [Parameter] = []) {
        self.text = text
        self.parameters = parameters
    }

    /// The values as an executor takes them.
    public var values: [String?] { parameters.map(\.value) }

    /// The text, then one comment line per parameter: `-- $1 run_id bigint = '42'`.
    public var description: String {
        script(terminator: "")
    }

    /// The text ended by `terminator` (`;` in a script), then one comment line per parameter.
    func script(terminator: String) -> String {
        ([text + terminator] + parameters.enumerated().map { index, parameter in
            "-- $\(index + 1) \(parameter.name) \(parameter.type) = \(parameter.value.map { "'\($0)'" } ?? "NULL")"
        }).joined(separator: "\n")
    }
}
