import EnergizeCore

/// The transform projects are made of: a `SELECT` that builds a relation from raw tables and
/// other models, kept in the database by its materialization.
public struct Model: Transform {
    /// The relation's name, unique in a project.
    public var name: String
    /// The schema it is built in.
    public var schema: String
    /// The `SELECT` statement (no trailing semicolon).
    public var sql: String
    /// How the result is kept; it plans each build.
    public var materialization: any Materialization
    /// Names of the models this one reads (they run first).
    public var dependencies: [String]
    /// A collection whose untypable documents this view lists (columns `document_id`, `reason`,
    /// `document`): each transform records its rows in the raw schema's `_rejects`.
    public var rejectsOf: String?
    /// What the model holds, for people (from the project's YAML).
    public var description: String?
    /// Descriptions of the model's columns, in the YAML's order.
    public var columns: [ModelColumn]
    /// The change logs of incremental models this one reads to find what changed
    /// (`{{ changes('m') }}`); when one was reset since its last run, it rebuilds whole.
    public var changeLogs: [ChangeLog]
    /// The raw tables it reads (`{{ raw('t') }}`): with ``dependencies``, what it is rebuilt after.
    public var sources: [TableName]

    /// A model.
    /// - Parameters:
    ///   - name: the relation's name, unique in the project.
    ///   - schema: the PostgreSQL schema it is built in.
    ///   - sql: its `SELECT` statement, without a trailing semicolon.
    ///   - materialization: how the result is kept.
    ///   - dependencies: the models it reads.
    ///   - description: what it holds, for people.
    public init(name: String, schema: String, sql: String, materialization: any Materialization, dependencies: [String] = [],
                description: String? = nil) {
        self.name = name
        self.schema = schema
        self.sql = sql
        self.materialization = materialization
        self.dependencies = dependencies
        self.description = description
        columns = []
        changeLogs = []
        sources = []
    }

    /// The materialization's name (`view`, `table`, …).
    public var materializationName: String { materialization.name }

    /// What the model is: its SQL and its materialization's settings. A build records it; when it
    /// differs at the next run, the model is rebuilt even if nothing it reads changed.
    public var definition: String {
        "\(materializationName)\n\(sql)\n\(String(reflecting: materialization))"
    }

    /// The materialization's plan for this model; see `Transform.plan(_:)`.
    /// - Parameter context: the run, the model's last run, and its relation's state.
    public func plan(_ context: PlanContext) throws -> Plan {
        try materialization.plan(self, context)
    }
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
