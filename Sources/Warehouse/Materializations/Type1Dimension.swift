import EnergizeCore

/// A dimension of type 1: one row per natural key holding its current values, with a
/// surrogate key that stays the same across runs, and the unknown member `-1`.
///
/// A key that disappears from the source keeps its row (facts may still point at it);
/// rows inserted or changed by a run carry the run's id in `_changed_run`.
public struct Type1Dimension: Materialization, Hashable {
    /// The source column that identifies an entity (`store_id`).
    public var naturalKey: String
    /// The dimension's key column (`store_sk`), stable across runs; `-1` is the unknown member.
    public var surrogateKey: String
    /// The other columns of the source.
    public var attributes: [String]

    /// A type 1 dimension.
    /// - Parameters:
    ///   - naturalKey: the source column that identifies an entity (`store_id`).
    ///   - surrogateKey: the dimension's key column (`store_sk`), stable across runs.
    ///   - attributes: the other columns, kept with their current values.
    public init(naturalKey: String, surrogateKey: String, attributes: [String]) {
        self.naturalKey = naturalKey
        self.surrogateKey = surrogateKey
        self.attributes = attributes
    }

    private var key: String { SQLIdentifier.quote(naturalKey) }

    /// Its name in run history: `type1`.
    public var name: String { "type1" }

    /// See `Materialization.plan(_:_:)`.
    public func plan(_ model: Model, _ context: PlanContext) throws -> Plan {
        let table = model.relation
        var statements: [SQL] = []
        if context.relation == .missing {
            statements.append(SQL(unescaped: DimensionTable.create(table, source: model.sql, surrogateKey: surrogateKey,
                                                                   columns: [naturalKey] + attributes, extra: "")))
            statements += DimensionTable.setup(table, surrogateKey: surrogateKey, index: "CREATE UNIQUE INDEX ON \(table) (\(key))", unknown: [])
                .map(SQL.init(unescaped:))
        }
        let list = SQLIdentifier.list(attributes)
        let updates = attributes.map { "\(SQLIdentifier.quote($0)) = excluded.\(SQLIdentifier.quote($0))" }.joined(separator: ", ")
        let changed = attributes.map { "t.\(SQLIdentifier.quote($0)) IS DISTINCT FROM excluded.\(SQLIdentifier.quote($0))" }.joined(separator: " OR ")
        statements.append("""
            INSERT INTO \(unescaped: table) AS t (\(unescaped: key), \(unescaped: list), _changed_run)
            SELECT DISTINCT ON (\(unescaped: key)) \(unescaped: key), \(unescaped: list), \(SQLParameter.runId) FROM (\(unescaped: model.sql)
            ) s WHERE \(unescaped: key) IS NOT NULL ORDER BY \(unescaped: key)
            ON CONFLICT (\(unescaped: key)) DO UPDATE SET \(unescaped: updates), _changed_run = excluded._changed_run
            WHERE \(unescaped: changed.isEmpty ? "FALSE" : changed)
            """)
        var steps = try statements.map { Plan.Step(try $0.bound(context.values)) }
        // Statistics now: the facts built next in this run join on them.
        steps.append(Plan.Step(Statement(text: "ANALYZE \(table)")))
        steps.append(Plan.Step(try DimensionTable.changedRows(table).bound(context.values), rowCount: .returned))
        return Plan(transform: model.name, materialization: name, steps: steps, recordsState: true, changes: .whenRowsCounted)
    }
}
