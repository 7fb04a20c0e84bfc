/// A named, typed value a statement needs when it runs: the run's id, its start, the run that
/// last built the model. Written into SQL by interpolation (`"… > \(SQLParameter.lastRunId)"`)
/// and bound by name when a plan is made (``SQL/bound(_:)``), never spliced into the text.
public struct SQLParameter: Sendable, Hashable {
    /// The name values are given under (`run_id`).
    public var name: String
    /// The PostgreSQL type the placeholder is cast to (`bigint`, `timestamptz`, `text[]`).
    public var type: String

    /// A parameter.
    /// - Parameters:
    ///   - name: the name its value is bound under.
    ///   - type: its PostgreSQL type.
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    /// This run's id.
    public static let runId = SQLParameter(name: "run_id", type: "bigint")
    /// The run that last built the model (0 before the first).
    public static let lastRunId = SQLParameter(name: "last_run_id", type: "bigint")
    /// The time this run started (SCD2 dimensions close deleted keys then).
    public static let runStartedAt = SQLParameter(name: "run_started_at", type: "timestamptz")
}

/// SQL text with parameter slots, built by string interpolation: `\(parameter)` adds a slot,
/// `\(unescaped: text)` adds trusted SQL text (identifiers already quoted with `SQLIdentifier`),
/// `\(fragment)` adds another `SQL`.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// A run of text or one parameter slot.
    public enum Piece: Sendable, Hashable {
        /// Trusted SQL text.
        case text(String)
        /// A parameter slot, bound by name.
        case parameter(SQLParameter)
    }

    /// The text and slots, in order.
    public private(set) var pieces: [Piece]

    /// SQL made of pieces (adjacent texts are joined, empty ones dropped).
    /// - Parameter pieces: text and parameter slots, in order.
    public init(pieces: [Piece]) {
        self.pieces = []
        for piece in pieces {
            switch (piece, self.pieces.last) {
            case (.text(let text), _) where text.isEmpty: continue
            case (.text(let text), .text(let previous)?): self.pieces[self.pieces.count - 1] = .text(previous + text)
            default: self.pieces.append(piece)
            }
        }
    }

    /// Trusted SQL text without parameters.
    /// - Parameter text: the SQL (identifiers quoted, no values).
    public init(unescaped text: String) {
        self.init(pieces: [.text(text)])
    }

    /// SQL text written as a literal, without parameters.
    /// - Parameter value: the SQL.
    public init(stringLiteral value: String) {
        self.init(pieces: [.text(value)])
    }

    /// SQL written as a literal with interpolations (see ``Interpolation``).
    /// - Parameter stringInterpolation: the literal's text and slots.
    public init(stringInterpolation: Interpolation) {
        self.init(pieces: stringInterpolation.pieces)
    }

    /// Builds `SQL` from a string literal with interpolations.
    public struct Interpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []

        /// An empty interpolation.
        /// - Parameters:
        ///   - literalCapacity: the literal text's length (unused).
        ///   - interpolationCount: the number of interpolations (unused).
        public init(literalCapacity: Int, interpolationCount: Int) {}

        /// The literal's text, as trusted SQL.
        /// - Parameter literal: a run of the literal between interpolations.
        public mutating func appendLiteral(_ literal: String) {
            pieces.append(.text(literal))
        }

        /// A parameter slot, bound by name when the plan is made.
        /// - Parameter parameter: the parameter.
        public mutating func appendInterpolation(_ parameter: SQLParameter) {
            pieces.append(.parameter(parameter))
        }

        /// Trusted SQL text: quoted identifiers, SQL a project wrote.
        /// - Parameter text: the SQL; it is not escaped.
        public mutating func appendInterpolation(unescaped text: String) {
            pieces.append(.text(text))
        }

        /// Another fragment, with its slots.
        /// - Parameter sql: the fragment.
        public mutating func appendInterpolation(_ sql: SQL) {
            pieces += sql.pieces
        }
    }

    /// The distinct parameters, in order of first use.
    public var parameters: [SQLParameter] {
        var seen: [SQLParameter] = []
        for case .parameter(let parameter) in pieces where !seen.contains(parameter) { seen.append(parameter) }
        return seen
    }

    /// The text with each slot as its name, for reading: `WHERE _run_id > {{ last_run_id }}`.
    public var description: String {
        pieces.map { piece in
            switch piece {
            case .text(let text): text
            case .parameter(let parameter): "{{ \(parameter.name) }}"
            }
        }.joined()
    }

    /// The statement with values for its slots: `$1::bigint`, … numbered in order of first use.
    /// - Parameter values: a value (nil for NULL) for each parameter's name.
    /// - Throws: ``PlanError`` naming a parameter that has no value.
    public func bound(_ values: [String: String?]) throws -> Statement {
        let used = parameters
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let part): text += part
            case .parameter(let parameter): text += "$\(used.firstIndex(of: parameter)! + 1)::\(parameter.type)"
            }
        }
        return Statement(text: text, parameters: try used.map { parameter in
            guard let value = values[parameter.name] else { throw PlanError(problem: "no value for the parameter \(parameter.name)") }
            return Statement.Parameter(name: parameter.name, type: parameter.type, value: value)
        })
    }

    /// Joins fragments.
    /// - Parameters:
    ///   - lhs: the first fragment.
    ///   - rhs: the fragment that follows it.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        SQL(pieces: lhs.pieces + rhs.pieces)
    }
}

/// Why a plan could not be made.
public struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is missing or wrong.
    public var problem: String

    /// A planning error.
    /// - Parameter problem: what is missing or wrong.
    public init(problem: String) {
        self.problem = problem
    }

    /// The problem.
    public var description: String { problem }
}
