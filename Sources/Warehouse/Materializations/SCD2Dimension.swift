import EnergizeCore

/// A slowly changing dimension of type 2: one row per version of each natural key, with
/// `valid_from`, `valid_to` (NULL while current) and `is_current` (see docs/warehouse.md).
///
/// Like dbt's snapshot with the `check` strategy on `tracked` columns: a version changes
/// only when a tracked value differs (compared as values: `IS DISTINCT FROM` on the typed
/// source columns, so a missing field equals `null`). A new version starts at the source's
/// `updatedAt`, or at the run's start when that is not later than the version it replaces.
/// The first version of a key starts at `createdAt`. Hard deletes follow `HardDeletes`.
/// Every row inserted or closed by a run carries that run's id in `_changed_run`, and every
/// version the run that inserted it in `_version_run`, so downstream incremental models can
/// find the events whose lookups may move (only new versions move them: a lookup takes the
/// version with the greatest `valid_from` at or before the event, whatever its `valid_to`).
public struct SCD2Dimension: Materialization, Hashable {
    /// What happens to a key that disappears from the source.
    public enum HardDeletes: String, Sendable, Hashable {
        /// Close its current version at the run's start (dbt `invalidate`); if it comes back, a
        /// new version starts even with the same attributes.
        case invalidate
        /// Keep its current version open (dbt `ignore`).
        case ignore
    }

    /// The source column that identifies an entity (`device_id`).
    public var naturalKey: String
    /// The dimension's key column, one value per version (`device_sk`); `-1` is the unknown member.
    public var surrogateKey: String
    /// Columns whose change starts a new version.
    public var tracked: [String]
    /// Columns carried along without starting versions (their value as of the version's start).
    public var carried: [String]
    /// The source column that starts a key's first version.
    public var createdAt: String
    /// The source column that starts later versions.
    public var updatedAt: String
    /// What happens to a key that disappears from the source.
    public var hardDeletes: HardDeletes

    /// An SCD2 dimension.
    /// - Parameters:
    ///   - naturalKey: the source column that identifies an entity (`device_id`).
    ///   - surrogateKey: the dimension's key column, one value per version (`device_sk`).
    ///   - tracked: the columns whose change starts a new version.
    ///   - carried: other columns kept with each version, as of its start.
    ///   - createdAt: the column that starts a key's first version.
    ///   - updatedAt: the column that starts later versions.
    ///   - hardDeletes: what happens to a key that disappears from the source.
    public init(naturalKey: String, surrogateKey: String, tracked: [String], carried: [String] = [],
                createdAt: String = "created_at", updatedAt: String = "updated_at", hardDeletes: HardDeletes = .invalidate) {
        self.naturalKey = naturalKey
        self.surrogateKey = surrogateKey
        self.tracked = tracked
        self.carried = carried
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.hardDeletes = hardDeletes
    }

    private var attributes: [String] { tracked + carried }
    private var key: String { SQLIdentifier.quote(naturalKey) }

    /// A query of `(natural key, since)` for the keys with versions inserted after the run
    /// ``SQLParameter/lastRunId``: events of those keys at or after `since` may now resolve to
    /// another version (all of them, `since = -infinity`, when the new version is the key's first).
    /// (`OFFSET 0` keeps it a subquery: joined to events, its `since` is computed once per key,
    /// not once per event.)
    /// - Parameter table: the dimension's quoted relation.
    public func newVersions(table: String) -> SQL {
        """
        SELECT n.\(unescaped: key), CASE WHEN n.since <= (SELECT min(x.valid_from) FROM \(unescaped: table) x WHERE x.\(unescaped: key) = n.\(unescaped: key))
          THEN '-infinity'::timestamptz ELSE n.since END AS since
        FROM (SELECT \(unescaped: key), min(valid_from) AS since FROM \(unescaped: table) WHERE _version_run > \(SQLParameter.lastRunId) GROUP BY \(unescaped: key)) n
        OFFSET 0
        """
    }

    /// The surrogate key of the version valid at `time` for natural key `key`: the last version
    /// starting at or before it; before the key's first version, the first; no version, `-1`.
    /// - Parameters:
    ///   - table: the dimension's quoted relation.
    ///   - keyExpression: a SQL expression of the natural key (e.g. `r.device_id`).
    ///   - time: a SQL expression of the event's time (e.g. `r.at`).
    /// - Returns: a scalar SQL expression.
    public func lookup(table: String, key keyExpression: String, at time: String) -> String {
        let sk = SQLIdentifier.quote(surrogateKey)
        return """
            coalesce(
                (SELECT energize_v.\(sk) FROM \(table) energize_v WHERE energize_v.\(key) = \(keyExpression) AND energize_v.valid_from <= \(time)
                 ORDER BY energize_v.valid_from DESC LIMIT 1),
                (SELECT energize_v.\(sk) FROM \(table) energize_v WHERE energize_v.\(key) = \(keyExpression) AND energize_v.\(sk) <> -1
                 ORDER BY energize_v.valid_from ASC LIMIT 1), -1)
            """
    }

    /// The table of its versions' ranges that `{{ scd2_join }}` reads, when built as `schema.name`.
    /// - Parameters:
    ///   - schema: the dimension's schema.
    ///   - name: the dimension's name.
    /// - Returns: the ranges, named after the dimension.
    public func ranges(schema: String, name: String) -> SCD2Ranges {
        SCD2Ranges(schema: schema, dimension: name, naturalKey: naturalKey, surrogateKey: surrogateKey)
    }

    /// Its name in run history: `scd2`.
    public var name: String { "scd2" }

    /// See `Materialization.plan(_:_:)`.
    public func plan(_ model: Model, _ context: PlanContext) throws -> Plan {
        let table = model.relation
        var statements: [SQL] = []
        if context.relation == .missing {
            statements.append(SQL(unescaped: DimensionTable.create(table, source: model.sql, surrogateKey: surrogateKey, columns: [naturalKey] + attributes,
                extra: "NULL::timestamptz AS valid_from, NULL::timestamptz AS valid_to, NULL::boolean AS is_current, NULL::bigint AS _version_run,")))
            statements += DimensionTable.setup(table, surrogateKey: surrogateKey, index: "CREATE INDEX ON \(table) (\(key), valid_from)",
                                               unknown: [("valid_from", "'-infinity'"), ("is_current", "true")]).map(SQL.init(unescaped:))
        }
        statements += runStatements(table: table, source: model.sql)
        var steps = try statements.map { Plan.Step(try $0.bound(context.values)) }
        // Statistics now: the facts built next in this run join on them.
        steps.append(Plan.Step(Statement(text: "ANALYZE \(table)")))
        steps += ranges(schema: model.schema, name: model.name).rebuild
        steps.append(Plan.Step(try DimensionTable.changedRows(table).bound(context.values), rowCount: .returned))
        return Plan(transform: model.name, materialization: name, steps: steps, recordsState: true, changes: .whenRowsCounted)
    }

    /// The statements of one run, in order.
    func runStatements(table: String, source: String) -> [SQL] {
        let sk = SQLIdentifier.quote(surrogateKey)
        let attributeList = SQLIdentifier.list(attributes)
        let sourceAttributes = SQLIdentifier.list(attributes, alias: "s")
        let changed = tracked.map { "t.\(SQLIdentifier.quote($0)) IS DISTINCT FROM s.\(SQLIdentifier.quote($0))" }.joined(separator: " OR ")
        let updated = "s." + SQLIdentifier.quote(updatedAt)
        let start = SQLParameter.runStartedAt, run = SQLParameter.runId
        var statements: [SQL] = [
            """
            CREATE TEMP TABLE energize_scd_source ON COMMIT DROP AS
            SELECT DISTINCT ON (\(unescaped: key)) * FROM (\(unescaped: source)
            ) s WHERE \(unescaped: key) IS NOT NULL
            ORDER BY \(unescaped: key), \(unescaped: SQLIdentifier.quote(updatedAt)) DESC NULLS LAST
            """,
            // Keys whose current version differs in a tracked value: close it, open a new one.
            """
            CREATE TEMP TABLE energize_scd_changed ON COMMIT DROP AS
            SELECT s.*, CASE WHEN \(unescaped: updated) > t.valid_from THEN \(unescaped: updated) ELSE \(start) END AS energize_from
            FROM energize_scd_source s JOIN \(unescaped: table) t ON t.\(unescaped: key) = s.\(unescaped: key) AND t.is_current
            WHERE \(unescaped: changed.isEmpty ? "FALSE" : changed)
            """,
            """
            UPDATE \(unescaped: table) t SET valid_to = c.energize_from, is_current = false, _changed_run = \(run)
            FROM energize_scd_changed c WHERE t.\(unescaped: key) = c.\(unescaped: key) AND t.is_current
            """,
            """
            INSERT INTO \(unescaped: table) (\(unescaped: key), \(unescaped: attributeList), valid_from, valid_to, is_current, _changed_run, _version_run)
            SELECT \(unescaped: key), \(unescaped: attributeList), energize_from, NULL, true, \(run), \(run) FROM energize_scd_changed
            """,
        ]
        if hardDeletes == .invalidate {
            statements.append("""
                UPDATE \(unescaped: table) t SET valid_to = \(start), is_current = false, _changed_run = \(run)
                WHERE t.is_current AND t.\(unescaped: sk) <> -1 AND NOT EXISTS (SELECT 1 FROM energize_scd_source s WHERE s.\(unescaped: key) = t.\(unescaped: key))
                """)
        }
        // Keys without a current version: new ones start at created_at; returning ones at
        // updated_at when that is later than their last version's end, else at the run's start.
        statements.append("""
            INSERT INTO \(unescaped: table) (\(unescaped: key), \(unescaped: attributeList), valid_from, valid_to, is_current, _changed_run, _version_run)
            SELECT s.\(unescaped: key), \(unescaped: sourceAttributes),
              CASE WHEN last.valid_to IS NULL THEN coalesce(s.\(unescaped: SQLIdentifier.quote(createdAt)), \(start))
                   WHEN \(unescaped: updated) > last.valid_to THEN \(unescaped: updated) ELSE \(start) END,
              NULL, true, \(run), \(run)
            FROM energize_scd_source s
            LEFT JOIN (SELECT \(unescaped: key), max(valid_to) AS valid_to FROM \(unescaped: table) GROUP BY \(unescaped: key)) last ON last.\(unescaped: key) = s.\(unescaped: key)
            WHERE NOT EXISTS (SELECT 1 FROM \(unescaped: table) t WHERE t.\(unescaped: key) = s.\(unescaped: key) AND t.is_current)
            """)
        return statements
    }
}
