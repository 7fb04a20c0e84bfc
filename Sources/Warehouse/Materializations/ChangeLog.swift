import EnergizeCore

/// The rows an incremental model deleted and inserted, run by run, so that models built from
/// it (aggregates, marts) can rebuild only the groups those rows fall in: a table
/// `<model>__energize_changes` beside the model, with `run_id`, `change` (`deleted`, `inserted`,
/// or `reset`) and the row as `jsonb`.
///
/// The one `reset` row names the run since which the log is complete (the model's last full
/// build, or the run that started logging): a reader last built before it rebuilds whole.
/// Rows every reader has consumed are pruned after each transform run; the one `pruned` row
/// names the last run whose rows are gone, so a reader that was not there to consume them (a
/// model added back to the project) rebuilds whole too.
public struct ChangeLog: Sendable, Hashable {
    /// The logged model's schema.
    public var schema: String
    /// The logged model's name.
    public var model: String

    /// The change log of one incremental model.
    /// - Parameters:
    ///   - schema: the model's PostgreSQL schema.
    ///   - model: the model's name.
    public init(schema: String, model: String) {
        self.schema = schema
        self.model = model
    }

    /// The log table's quoted, qualified name.
    public var relation: String {
        SQLIdentifier.qualified(schema, String((model + "__energize_changes").utf8.prefix(63)) ?? model)
    }

    private var modelRelation: String { SQLIdentifier.qualified(schema, model) }

    /// Creates the log when missing, complete from this run on.
    var create: [SQL] {
        ["CREATE TABLE IF NOT EXISTS \(unescaped: relation) (run_id bigint NOT NULL, change text NOT NULL, row jsonb)",
         "CREATE INDEX IF NOT EXISTS \(unescaped: SQLIdentifier.quote(String((model + "__energize_changes_run").utf8.prefix(63)) ?? "run")) ON \(unescaped: relation) (run_id)",
         """
         INSERT INTO \(unescaped: relation) (run_id, change) SELECT \(SQLParameter.runId), 'reset'
         WHERE NOT EXISTS (SELECT 1 FROM \(unescaped: relation) WHERE change = 'reset')
         """]
    }

    /// After a full build: the log starts again, complete from this run on.
    var reset: [SQL] {
        create + ["DELETE FROM \(unescaped: relation)",
                  "INSERT INTO \(unescaped: relation) (run_id, change) VALUES (\(SQLParameter.runId), 'reset')"]
    }

    /// Logs the rows a `DELETE … RETURNING *` removes: wrap the delete as `WITH d AS (…)`.
    /// - Parameter delete: the `DELETE` statement, ending in `RETURNING *`.
    func loggingDeleted(_ delete: String) -> SQL {
        """
        WITH energize_deleted AS (\(unescaped: delete))
        INSERT INTO \(unescaped: relation) (run_id, change, row) SELECT \(SQLParameter.runId), 'deleted', to_jsonb(d) FROM energize_deleted d
        """
    }

    /// Logs as deleted every row of a table of this run that holds the rows a run took out (an
    /// `add` run's `energize_old`).
    /// - Parameter table: the table, named as SQL (a temporary table, unqualified).
    func loggingDeleted(rowsOf table: String) -> SQL {
        "INSERT INTO \(unescaped: relation) (run_id, change, row) SELECT \(SQLParameter.runId), 'deleted', to_jsonb(r) FROM \(unescaped: table) r"
    }

    /// The `inserted` rows of a `WITH inserted AS (INSERT … RETURNING *)` as one more CTE.
    var loggingInserted: SQL {
        ", energize_logged AS (INSERT INTO \(unescaped: relation) (run_id, change, row) SELECT \(SQLParameter.runId), 'inserted', to_jsonb(i) FROM inserted i)"
    }

    /// A subquery (in parentheses) of the rows the model deleted or inserted after run
    /// ``SQLParameter/lastRunId``, typed as the model's rows: the old and the new values of
    /// every row that changed, each with `energize_sign`, `-1` for a row deleted and `1` for a
    /// row inserted, and `energize_run`, the run that deleted or inserted it. A reader that
    /// groups them by what it reads and keeps the groups whose signs do not add up to 0 gets the
    /// rows that really changed for it (a row deleted and inserted again alike cancels out).
    public var changedRows: SQL {
        """
        (SELECT energize_r.*, CASE energize_c.change WHEN 'inserted' THEN 1 ELSE -1 END AS energize_sign, energize_c.run_id AS energize_run
          FROM \(unescaped: relation) energize_c
          CROSS JOIN LATERAL jsonb_populate_record(NULL::\(unescaped: modelRelation), energize_c.row) energize_r
          WHERE energize_c.run_id > \(SQLParameter.lastRunId) AND energize_c.change IN ('deleted', 'inserted'))
        """
    }

    /// Whether a reader last built in run `lastRunId` must rebuild whole: the log is missing, was
    /// reset after that run, or lost rows of a later run to pruning.
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - lastRunId: the reader's last run.
    func isIncomplete(_ executor: any SQLExecutor, since lastRunId: Int64) throws -> Bool {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [relation]) == "t" else { return true }
        return try executor.scalar("SELECT EXISTS (SELECT 1 FROM \(relation) WHERE change IN ('reset', 'pruned') AND run_id > $1::bigint)",
                                   [String(lastRunId)]) == "t"
    }

    /// Deletes the changes every reader has consumed: those of runs at or before the oldest
    /// reader's last build (readers never built rebuild whole and need none).
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - readers: the names of the models that read the log.
    ///   - state: the meta schema's model state.
    func prune(_ executor: any SQLExecutor, readers: [String], meta: WarehouseMeta) throws {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [relation]) == "t" else { return }
        // The last run pruned is remembered as the one `pruned` row.
        try executor.run("""
            WITH energize_gone AS (DELETE FROM \(relation) WHERE change IN ('deleted', 'inserted')
              AND run_id <= (SELECT coalesce(min(last_run_id), 9223372036854775807) FROM \(meta.modelState) WHERE model = ANY($1::text[]))
              RETURNING run_id),
            energize_last AS (SELECT max(run_id) AS run_id FROM energize_gone HAVING count(*) > 0),
            energize_older AS (DELETE FROM \(relation) WHERE change = 'pruned' AND EXISTS (SELECT 1 FROM energize_last))
            INSERT INTO \(relation) (run_id, change)
            SELECT greatest(l.run_id, (SELECT max(run_id) FROM \(relation) WHERE change = 'pruned')), 'pruned' FROM energize_last l
            """, [PostgresArray.text(readers)])
        // A log from before the marker existed (or just reset) gets one at its readers' oldest build:
        // rows of earlier runs may be gone, and a reader built before then rebuilds whole.
        try executor.run("""
            INSERT INTO \(relation) (run_id, change)
            SELECT m.run_id, 'pruned' FROM (SELECT min(last_run_id) AS run_id FROM \(meta.modelState) WHERE model = ANY($1::text[])) m
            WHERE m.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(relation) WHERE change = 'pruned')
            """, [PostgresArray.text(readers)])
    }

    /// Creates the log, complete from run `runId` on, when it is missing and its model's table
    /// exists (the log was dropped while no model read it): a reader back in the project then
    /// rebuilds whole once, not at every run until the logged model builds again.
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - runId: this run.
    func createIfMissing(_ executor: any SQLExecutor, runId: Int64) throws {
        guard try executor.scalar("SELECT to_regclass($1) IS NULL AND to_regclass($2) IS NOT NULL", [relation, modelRelation]) == "t" else { return }
        for sql in create {
            let statement = try sql.bound([SQLParameter.runId.name: String(runId)])
            try executor.run(statement.text, statement.values)
        }
    }
}
