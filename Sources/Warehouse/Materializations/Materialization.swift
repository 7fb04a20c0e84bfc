import EnergizeCore

/// How a model's `SELECT` is kept in the database: it turns the model and a run's context into
/// a plan. ``ViewMaterialization``, ``TableMaterialization``, ``Incremental``, ``SCD2Dimension``
/// and ``Type1Dimension`` are the built-in ones; a package can write its own.
public protocol Materialization: Sendable {
    /// A short name for run history and `energize ls` (`view`, `table`, …).
    var name: String { get }
    /// What building `model` does in the run `context` describes; does no I/O.
    /// - Parameters:
    ///   - model: the model (its relation and `SELECT`).
    ///   - context: the run, the model's last run, and its relation's state.
    /// - Returns: the statements to run, bound.
    func plan(_ model: Model, _ context: PlanContext) throws -> Plan
}

extension Materialization where Self == ViewMaterialization {
    /// `CREATE OR REPLACE VIEW`.
    public static var view: ViewMaterialization { ViewMaterialization() }
}

extension Materialization where Self == TableMaterialization {
    /// A table rebuilt in a new relation and swapped in atomically.
    public static var table: TableMaterialization { TableMaterialization() }
}

extension Materialization where Self == Incremental {
    /// An incremental table (see ``Incremental``).
    /// - Parameter incremental: its unique key, scope and changed-scopes query.
    public static func incremental(_ incremental: Incremental) -> Incremental { incremental }
}

extension Materialization where Self == SCD2Dimension {
    /// A slowly changing dimension of type 2 (see ``SCD2Dimension``).
    /// - Parameter dimension: its keys, tracked and carried columns.
    public static func scd2(_ dimension: SCD2Dimension) -> SCD2Dimension { dimension }
}

extension Materialization where Self == Type1Dimension {
    /// A dimension of type 1 (see ``Type1Dimension``).
    /// - Parameter dimension: its keys and attributes.
    public static func type1(_ dimension: Type1Dimension) -> Type1Dimension { dimension }
}

/// A view: `CREATE OR REPLACE VIEW`, or, when the view's columns changed (PostgreSQL then
/// refuses to replace it), drop and create it in the same transaction.
public struct ViewMaterialization: Materialization, Hashable {
    /// The view materialization.
    public init() {}

    /// Its name in run history: `view`.
    public var name: String { "view" }

    /// See `Materialization.plan(_:_:)`.
    public func plan(_ model: Model, _ context: PlanContext) throws -> Plan {
        let create = Statement(text: "CREATE VIEW \(model.relation) AS \(model.sql)")
        let steps: [Plan.Step]
        switch context.relation {
        case .table: steps = [Plan.Step(Statement(text: "DROP TABLE \(model.relation)")), Plan.Step(create)]
        case .missing: steps = [Plan.Step(create)]
        case .view:
            steps = [Plan.Step(Statement(text: "CREATE OR REPLACE VIEW \(model.relation) AS \(model.sql)"),
                               otherwise: [Statement(text: "DROP VIEW \(model.relation)"), create])]
        }
        return Plan(transform: model.name, materialization: name, steps: steps)
    }
}

/// A table built in a new relation and swapped in, in one transaction: readers see the old
/// rows or the new ones. When views read the table, its content is swapped instead (the views
/// keep pointing at it).
public struct TableMaterialization: Materialization, Hashable {
    /// The table materialization.
    public init() {}

    /// Its name in run history: `table`.
    public var name: String { "table" }

    /// See `Materialization.plan(_:_:)`.
    public func plan(_ model: Model, _ context: PlanContext) throws -> Plan {
        Plan(transform: model.name, materialization: name, steps: Self.rebuild(model, context.relation))
    }

    /// The statements that rebuild `model`'s table from its `SELECT`.
    static func rebuild(_ model: Model, _ relation: RelationState) -> [Plan.Step] {
        let fresh = SQLIdentifier.qualified(model.schema, model.name + "__energize_new")
        var steps = Plan.Step.settings + [
                     Plan.Step(Statement(text: "DROP TABLE IF EXISTS \(fresh)")),
                     Plan.Step(Statement(text: "CREATE TABLE \(fresh) AS \(model.sql)"), rowCount: .written)]
        switch relation {
        case .table(readByViews: true):
            steps += [Plan.Step(Statement(text: "TRUNCATE \(model.relation)")),
                      Plan.Step(Statement(text: "INSERT INTO \(model.relation) SELECT * FROM \(fresh)")),
                      Plan.Step(Statement(text: "DROP TABLE \(fresh)"))]
        case .table(readByViews: false):
            steps += [Plan.Step(Statement(text: "DROP TABLE \(model.relation)")),
                      Plan.Step(Statement(text: "ALTER TABLE \(fresh) RENAME TO \(SQLIdentifier.quote(model.name))"))]
        case .view:
            steps += [Plan.Step(Statement(text: "DROP VIEW \(model.relation)")),
                      Plan.Step(Statement(text: "ALTER TABLE \(fresh) RENAME TO \(SQLIdentifier.quote(model.name))"))]
        case .missing:
            steps.append(Plan.Step(Statement(text: "ALTER TABLE \(fresh) RENAME TO \(SQLIdentifier.quote(model.name))")))
        }
        // Statistics now, not when autovacuum gets to it: models built next in this run plan with them.
        steps.append(Plan.Step(Statement(text: "ANALYZE \(model.relation)")))
        return steps
    }
}

/// A table of which only the rows of scopes that changed since the model's last run are
/// deleted and inserted again; built whole the first time, on a full refresh, and when a
/// change log it reads was reset (its source was rebuilt whole).
public struct Incremental: Materialization, Hashable {
    /// Columns that identify one row of the model (checked unique by data tests).
    public var uniqueKey: [String]
    /// Columns that identify a group of rows rebuilt together (e.g. `order_id` for order lines).
    public var scope: [String]
    /// A `SELECT` of the scope values that changed since the model's last run; it may use
    /// ``SQLParameter/lastRunId`` and ``SQLParameter/runId``, and must include scopes whose
    /// source rows disappeared.
    public var changedScopes: SQL
    /// The model's `SELECT` as an incremental run executes it: filtered to the changed scopes
    /// before it aggregates (a `GROUP BY` model), which a filter on its result cannot do; nil:
    /// the model's `SELECT`. Its filters must keep every source row of the changed scopes; they
    /// may read the scopes as `energize_scope`, a table with the `scope` columns.
    public var scopedSQL: String?
    /// Whether the model keeps a ``ChangeLog`` of the rows each run deletes and inserts (for
    /// models built from it that rebuild only what changed).
    public var logsChanges: Bool
    /// How an incremental run brings the table up to date (default ``Strategy/deleteInsert``).
    public var strategy: Strategy
    /// A query that, when it returns a row, has the run build the model whole (e.g. a type 1
    /// dimension's attribute changed, which deltas cannot subtract); it may use
    /// ``SQLParameter/lastRunId`` and ``SQLParameter/runId``. Nil: only a full refresh, a new
    /// table or a reset change log do.
    public var rebuildWhen: SQL?

    /// How an incremental run updates the table.
    public enum Strategy: Sendable, Hashable {
        /// `delete+insert`: the rows of the changed scopes are deleted and inserted again from the
        /// model's `SELECT` (``Incremental/changedScopes``).
        case deleteInsert
        /// `add`: every column not in the unique key is a sum, and a run adds what changed to it.
        /// `deltas` is a `SELECT` of rows with the model's columns: for each unique key, what the
        /// changes since the model's last run add to (or, negative, take from) each sum; the rows of
        /// the keys it names are replaced by the old row plus the deltas, and a row whose
        /// `countColumn` (the number of things it sums, e.g. `orders`) comes to 0 is removed.
        /// Exact sums (integers, `numeric`) of values that are never NULL only: NULL is not an
        /// amount that can be taken back. A changed definition builds the model whole.
        case add(deltas: SQL, countColumn: String)
    }

    /// An incremental materialization.
    /// - Parameters:
    ///   - uniqueKey: the columns that identify a row.
    ///   - scope: the columns of the groups rebuilt together (default: `uniqueKey`).
    ///   - changedScopes: the `SELECT` of the scope values to rebuild.
    ///   - scopedSQL: the model's `SELECT` restricted to the changed scopes (nil: filter its result).
    ///   - logsChanges: keep a change log of the rows each run deletes and inserts.
    ///   - rebuildWhen: a query that, when it returns a row, has the run build the model whole.
    public init(uniqueKey: [String], scope: [String]? = nil, changedScopes: SQL, scopedSQL: String? = nil, logsChanges: Bool = false,
                rebuildWhen: SQL? = nil) {
        self.uniqueKey = uniqueKey
        self.scope = scope ?? uniqueKey
        self.changedScopes = changedScopes
        self.scopedSQL = scopedSQL
        self.logsChanges = logsChanges
        self.strategy = .deleteInsert
        self.rebuildWhen = rebuildWhen
    }

    /// An incremental materialization that adds deltas to its sums (``Strategy/add(deltas:countColumn:)``).
    /// - Parameters:
    ///   - uniqueKey: the columns that identify a row (the groups of an aggregate).
    ///   - deltas: the `SELECT` of what the changes since the last run add to each row.
    ///   - countColumn: the column that counts what a row sums; a row whose count comes to 0 is removed.
    ///   - rebuildWhen: a query that, when it returns a row, has the run build the model whole.
    public init(uniqueKey: [String], adding deltas: SQL, countColumn: String, rebuildWhen: SQL? = nil) {
        self.init(uniqueKey: uniqueKey, changedScopes: "", rebuildWhen: rebuildWhen)
        strategy = .add(deltas: deltas, countColumn: countColumn)
    }

    /// Its name in run history: `incremental`.
    public var name: String { "incremental" }

    /// See `Materialization.plan(_:_:)`.
    public func plan(_ model: Model, _ context: PlanContext) throws -> Plan {
        let log = logsChanges ? ChangeLog(schema: model.schema, model: model.name) : nil
        let plan = try plan(model, context, log: log)
        guard log == nil else { return plan }
        // No model reads its changes now: a log kept for readers that left the project goes, so a
        // reader that comes back finds it missing and builds whole instead of applying a log with a gap.
        var unlogged = plan
        unlogged.steps.append(Plan.Step(Statement(text: "DROP TABLE IF EXISTS \(ChangeLog(schema: model.schema, model: model.name).relation)")))
        return unlogged
    }

    private func plan(_ model: Model, _ context: PlanContext, log: ChangeLog?) throws -> Plan {
        let isTable = if case .table = context.relation { true } else { false }
        let incremental = isTable && !context.fullRefresh && !context.changeLogsReset && !context.rebuildWhenMet
        switch strategy {
        case .deleteInsert where incremental: return try scopedPlan(model, context, log: log)
        // Sums made by an earlier definition are not this one's: built whole below.
        case .add(let deltas, let countColumn) where incremental && !context.definitionChanged:
            return try addPlan(model, context, deltas: deltas, countColumn: countColumn, log: log)
        default: break
        }
        // A new table gets an index on the scope: later runs delete and look up by it.
        let index = SQLIdentifier.quote(String((model.name + "_scope_idx").utf8.prefix(63)) ?? "scope_idx")
        let indexStep = Plan.Step(Statement(text: "CREATE INDEX IF NOT EXISTS \(index) ON \(model.relation) (\(SQLIdentifier.list(scope)))"))
        let logSteps = try (log?.reset ?? []).map { Plan.Step(try $0.bound(context.values)) }
        var checks: [Plan.Step] = []
        if case .add(_, let countColumn) = strategy {
            // Told at the first build, not at the first incremental run.
            checks.append(Plan.Step(Statement(text: """
                SELECT $1::text WHERE NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $2::regclass AND attname::text = $1::text
                  AND attnum > 0 AND NOT attisdropped)
                """, parameters: [.init(name: "count_column", type: "text", value: countColumn), .init(name: "relation", type: "regclass", value: model.relation)]),
                failure: "count_column= names no column of the model"))
        }
        return Plan(transform: model.name, materialization: name,
                    steps: TableMaterialization.rebuild(model, context.relation) + checks + [indexStep] + logSteps, recordsState: true)
    }

    /// The plan of an incremental `delete+insert` run: the changed scopes into `energize_scope`,
    /// their rows deleted and inserted again from the model's `SELECT` (logged when models read
    /// the model's changes).
    private func scopedPlan(_ model: Model, _ context: PlanContext, log: ChangeLog?) throws -> Plan {
        let scopeList = SQLIdentifier.list(scope)
        let inScope = "(\(scopeList)) IN (SELECT \(scopeList) FROM energize_scope)"
        let scopes: SQL = "CREATE TEMP TABLE energize_scope ON COMMIT DROP AS \(changedScopes)"
        let delete = "DELETE FROM \(model.relation) WHERE \(inScope)"
        let insert: SQL = """
            WITH inserted AS (INSERT INTO \(unescaped: model.relation) SELECT m.* FROM (\(unescaped: scopedSQL ?? model.sql)) m
            WHERE (\(unescaped: SQLIdentifier.list(scope, alias: "m"))) IN (SELECT \(unescaped: scopeList) FROM energize_scope) RETURNING \(unescaped: log == nil ? "1" : "*"))\(log?.loggingInserted ?? "")
            SELECT count(*) FROM inserted
            """
        var steps = Plan.Step.settings
        steps += try (log?.create ?? []).map { Plan.Step(try $0.bound(context.values)) }
        steps += [
            Plan.Step(try scopes.bound(context.values)),
            Plan.Step(try log.map { try $0.loggingDeleted(delete + " RETURNING *").bound(context.values) } ?? Statement(text: delete)),
            Plan.Step(try insert.bound(context.values), rowCount: .returned),
        ]
        // No scope to rebuild, nothing deleted or inserted: what reads the model need not run.
        return Plan(transform: model.name, materialization: name, steps: steps, recordsState: true,
                    changes: .when(Statement(text: "SELECT EXISTS (SELECT 1 FROM energize_scope)")))
    }
}

extension Plan.Step {
    /// The first steps of every model build's plan: its transaction's settings (see `BuildSettings`).
    static let settings = BuildSettings.inTransaction.map { Plan.Step(Statement(text: $0)) }
}
