import EnergizeCore

/// How a model's result is kept in the database.
public enum Materialization: Sendable, Hashable {
    /// `CREATE OR REPLACE VIEW`.
    case view
    /// Built in a new relation and swapped in atomically.
    case table
    /// Only the rows of scopes that changed since the model's last run are deleted and
    /// re-inserted; a full refresh rebuilds the table.
    case incremental(IncrementalConfig)
    /// A slowly changing dimension of type 2 maintained from the model's `SELECT`.
    case scd2(SCD2Dimension)
    /// A dimension of type 1 (current values, stable surrogate keys) maintained from the model's `SELECT`.
    case type1(Type1Dimension)

    /// A short name for run history: `view`, `table`, `incremental`, `scd2`, `type1`.
    public var name: String {
        switch self {
        case .view: "view"
        case .table: "table"
        case .incremental: "incremental"
        case .scd2: "scd2"
        case .type1: "type1"
        }
    }
}

/// How an incremental model finds what to rebuild.
public struct IncrementalConfig: Sendable, Hashable {
    /// Columns that identify one row of the model (checked unique by data tests).
    public var uniqueKey: [String]
    /// Columns that identify a group of rows rebuilt together (e.g. `sale_id` for sale lines).
    public var scope: [String]
    /// A `SELECT` of the scope values that changed since the model's last successful run:
    /// `$1` is that run's id (0 before the first), `$2` this run's. It must include scopes
    /// whose source rows disappeared.
    public var changedScopes: String

    /// Creates an `IncrementalConfig` from its parts.
    public init(uniqueKey: [String], scope: [String]? = nil, changedScopes: String) {
        self.uniqueKey = uniqueKey
        self.scope = scope ?? uniqueKey
        self.changedScopes = changedScopes
    }
}

/// One transform: a `SELECT` that builds a relation from sources and other models.
public struct Model: Sendable, Hashable {
    /// The relation's name, unique in a project.
    public var name: String
    /// The schema it is built in.
    public var schema: String
    /// The `SELECT` statement (no trailing semicolon).
    public var sql: String
    public var materialization: Materialization
    /// Names of the models this one reads (they run first).
    public var dependencies: [String]

    /// Creates a `Model` from its parts.
    public init(name: String, schema: String, sql: String, materialization: Materialization, dependencies: [String] = []) {
        self.name = name
        self.schema = schema
        self.sql = sql
        self.materialization = materialization
        self.dependencies = dependencies
    }

    /// The quoted, qualified relation name.
    public var relation: String { Quoting.qualified(schema, name) }
}

/// Identifier quoting for generated SQL.
public enum Quoting {
    /// `"na""me"`.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`.
    public static func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// Quoted names joined by commas, with an optional alias prefix.
    public static func list(_ names: [String], alias: String? = nil) -> String {
        names.map { (alias.map { $0 + "." } ?? "") + quote($0) }.joined(separator: ", ")
    }
}
