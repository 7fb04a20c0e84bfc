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

    /// How `changedScopes` names the run that last built the model (`{{ last_run_id }}` in a file).
    public static let lastRunParameter = "$1::bigint"
    /// How `changedScopes` names this run (`{{ run_id }}` in a file).
    public static let runParameter = "$2::bigint"

    /// How an incremental model finds what to rebuild.
    /// - Parameters:
    ///   - uniqueKey: the columns that identify a row.
    ///   - scope: the columns of the groups rebuilt together (default: `uniqueKey`).
    ///   - changedScopes: the `SELECT` of the scope values to rebuild (see the property).
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
    /// A collection whose untypable documents this view lists (columns `document_id`, `reason`,
    /// `document`): each transform records its rows in the raw schema's `_rejects`.
    public var rejectsOf: String?
    /// What the model holds, for people (from the project's YAML).
    public var description: String?
    /// Descriptions of the model's columns, in the YAML's order.
    public var columns: [ModelColumn]

    /// A model.
    /// - Parameters:
    ///   - name: the relation's name, unique in the project.
    ///   - schema: the PostgreSQL schema it is built in.
    ///   - sql: its `SELECT` statement, without a trailing semicolon.
    ///   - materialization: how the result is kept.
    ///   - dependencies: the models it reads.
    ///   - description: what it holds, for people.
    public init(name: String, schema: String, sql: String, materialization: Materialization, dependencies: [String] = [],
                description: String? = nil) {
        self.name = name
        self.schema = schema
        self.sql = sql
        self.materialization = materialization
        self.dependencies = dependencies
        self.description = description
        columns = []
    }

    /// The quoted, qualified relation name.
    public var relation: String { Quoting.qualified(schema, name) }
}

/// A documented column of a model.
public struct ModelColumn: Sendable, Hashable {
    /// The column's name.
    public var name: String
    /// What it holds.
    public var description: String?

    /// A documented column.
    /// - Parameters:
    ///   - name: the column's name.
    ///   - description: what it holds.
    public init(name: String, description: String?) {
        self.name = name
        self.description = description
    }
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
