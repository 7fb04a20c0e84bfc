/// How a model's result is kept in the database.
public enum Materialization: Sendable, Hashable {
    case view
    /// Built in a new relation and swapped in atomically.
    case table
    /// Only the keys touched since the last run are deleted and re-inserted.
    case incremental(uniqueKey: [String])
}

/// One transform: a `SELECT` that builds a relation from sources and other models.
public struct Model: Sendable, Hashable {
    /// The relation's name, unique in a project.
    public var name: String
    /// The schema it is built in.
    public var schema: String
    /// The `SELECT` statement.
    public var sql: String
    public var materialization: Materialization
    /// Names of the models this one reads (must run first).
    public var dependencies: [String]

    public init(name: String, schema: String, sql: String, materialization: Materialization, dependencies: [String] = []) {
        self.name = name
        self.schema = schema
        self.sql = sql
        self.materialization = materialization
        self.dependencies = dependencies
    }
}
