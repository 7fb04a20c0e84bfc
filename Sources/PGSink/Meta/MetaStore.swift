import EnergizeCore

/// Run history and state in the meta schema (`energize_meta` by default).
///
/// `runs` holds one row per run, `stream_runs` one per stream of a run (counts, watermarks,
/// error), `watermarks` the latest committed cursor per stream. A stream's rows are written
/// in the same transaction as its data.
struct MetaStore: Sendable {
    let schema: String

    private var runs: String { SQLIdentifier.qualified(schema, "runs") }
    private var streamRuns: String { SQLIdentifier.qualified(schema, "stream_runs") }
    private var watermarks: String { SQLIdentifier.qualified(schema, "watermarks") }
    private var columnNames: String { SQLIdentifier.qualified(schema, "column_names") }

    /// Statements that create the schema and its tables when missing.
    var createStatements: [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(schema))",
            """
            CREATE TABLE IF NOT EXISTS \(runs) (
              run_id bigserial PRIMARY KEY, pipeline text NOT NULL, started_at timestamptz NOT NULL,
              finished_at timestamptz, status text NOT NULL, streams_total integer, streams_failed integer,
              error text)
            """,
            """
            CREATE TABLE IF NOT EXISTS \(streamRuns) (
              run_id bigint NOT NULL REFERENCES \(runs) (run_id), stream text NOT NULL, target_table text,
              strategy text, started_at timestamptz, finished_at timestamptz NOT NULL, status text NOT NULL,
              rows_read bigint NOT NULL DEFAULT 0, rows_loaded bigint NOT NULL DEFAULT 0,
              rows_rejected bigint NOT NULL DEFAULT 0, rows_deleted bigint, rows_added bigint,
              rows_removed bigint, table_rows bigint, watermark_before text, cutoff text,
              watermark_after text, error text, PRIMARY KEY (run_id, stream))
            """,
            // The backend that held the run's lock: gone while the run is `running`, the run was abandoned.
            "ALTER TABLE \(runs) ADD COLUMN IF NOT EXISTS holder_pid integer",
            // Who started the run, when somebody said (an Airflow task and its try).
            "ALTER TABLE \(runs) ADD COLUMN IF NOT EXISTS origin text",
            // Each attempt of a stream in a run (a failure, then a retry) updates one row.
            "ALTER TABLE \(streamRuns) ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 1",
            """
            CREATE TABLE IF NOT EXISTS \(watermarks) (
              pipeline text NOT NULL, stream text NOT NULL, cursor_field text NOT NULL, value text,
              run_id bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (pipeline, stream))
            """,
            """
            CREATE TABLE IF NOT EXISTS \(columnNames) (
              table_schema text NOT NULL, table_name text NOT NULL, column_name text NOT NULL, field text NOT NULL,
              PRIMARY KEY (table_schema, table_name, column_name))
            """,
        ] + changeStreamStatements + ChangeMarks(schema: schema).createStatements
    }

    /// The qualified names of the tables the statements create and of `rejects`, in the order a
    /// load locks them (column names, rejects, marks, change streams, stream runs, runs,
    /// watermarks), then the marks' sequence.
    /// - Parameter rejects: the qualified `_rejects` table of the raw schema.
    func relations(rejects: String) -> [String] {
        let marks = ChangeMarks(schema: schema)
        return [columnNames, rejects] + marks.relations.prefix(1) + [changeStreams, streamRuns, runs, watermarks, followers]
            + marks.relations.dropFirst()
    }

    /// Recorded `column → field` names of a table's columns that differ from their field.
    func columnMappings(_ connection: PGConnection, schema tableSchema: String, table: String) throws -> [String: String] {
        let rows = try connection.execute("""
            SELECT column_name, field FROM \(columnNames) WHERE table_schema = $1 AND table_name = $2
            """, [tableSchema, table]).rows
        return Dictionary(rows.map { ($0[0] ?? "", $0[1] ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// Records column names that differ from their field (inside the load's transaction).
    func recordColumnMappings(_ connection: PGConnection, schema tableSchema: String, table: String,
                              _ mappings: [(column: String, field: String)]) throws {
        for mapping in mappings {
            try connection.execute("""
                INSERT INTO \(columnNames) (table_schema, table_name, column_name, field) VALUES ($1, $2, $3, $4)
                ON CONFLICT (table_schema, table_name, column_name) DO UPDATE SET field = excluded.field
                """, [tableSchema, table, mapping.column, mapping.field])
        }
    }

    /// Inserts a run in status `running`; returns its id and start (ms since the epoch).
    func startRun(_ connection: PGConnection, pipeline: String, streams: Int, holder: Int32?, origin: String?) throws -> (Int64, Int64) {
        let result = try connection.execute("""
            INSERT INTO \(runs) (pipeline, started_at, status, streams_total, holder_pid, origin) VALUES ($1, clock_timestamp(), 'running', $2, $3, $4)
            RETURNING run_id, floor(extract(epoch FROM started_at) * 1000)::bigint
            """, [pipeline, String(streams), holder.map(String.init), origin])
        guard let row = result.rows.first, let id = row[0].flatMap({ Int64($0) }), let started = row[1].flatMap({ Int64($0) }) else {
            throw PGError(.queryFailed, message: "inserting the run returned no id")
        }
        return (id, started)
    }

    /// The condition of a `runs` row (aliased `r`) that is running though the process that
    /// held its lock is gone (killed, or its machine lost).
    /// (Run history written before `holder_pid` existed has none: such runs are never judged.)
    static func abandonedCondition(_ alias: String) -> String {
        let holder = "(to_jsonb(\(alias)) ->> 'holder_pid')::integer"
        return """
            \(alias).status = 'running' AND \(holder) IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = \(holder)
                              AND a.application_name LIKE 'energize % lock pid %')
            """
    }

    /// Records runs of `pipeline` whose process is gone as `abandoned`, what they committed kept.
    func markAbandoned(_ connection: PGConnection, pipeline: String) throws {
        try connection.execute("""
            UPDATE \(runs) r SET status = 'abandoned',
              error = concat_ws(E'\\n', r.error, 'abandoned: the process ended without finishing the run (killed, or its connection lost); the streams it committed stay')
            WHERE r.pipeline = $1 AND \(Self.abandonedCondition("r"))
            """, [pipeline])
    }

    /// Marks a run finished with its status; with `keepOpen`, a run whose streams all
    /// succeeded stays `running` (its transform and tests follow).
    func finishRun(_ connection: PGConnection, _ report: RunReport, keepOpen: Bool) throws {
        let failed = report.streams.filter { $0.status == .failed }
        let status = !failed.isEmpty ? "failed" : report.stopped ? "stopped" : keepOpen ? "running" : "succeeded"
        try connection.execute("""
            UPDATE \(runs) SET finished_at = clock_timestamp(), status = $2, streams_failed = $3, error = $4 WHERE run_id = $1
            """, [String(report.run.runId), status, String(failed.count),
                  failed.isEmpty ? nil : failed.compactMap(\.error).joined(separator: "\n")])
    }

    /// Ends a run kept open: `succeeded`, unless it was marked otherwise meanwhile.
    func complete(_ connection: PGConnection, runId: Int64) throws {
        try connection.execute("""
            UPDATE \(runs) SET status = CASE WHEN status = 'running' THEN 'succeeded' ELSE status END,
              finished_at = clock_timestamp() WHERE run_id = $1
            """, [String(runId)])
    }

    /// Marks a run stopped on request, appending what was left undone to its error text.
    func markStopped(_ connection: PGConnection, runId: Int64, reason: String) throws {
        try connection.execute("""
            UPDATE \(runs) SET status = 'stopped', finished_at = clock_timestamp(),
              error = concat_ws(E'\\n', error, $2::text) WHERE run_id = $1
            """, [String(runId), reason])
    }

    /// Moves a run's end to now (its transform and tests ran after the load).
    func extend(_ connection: PGConnection, runId: Int64) throws {
        try connection.execute("UPDATE \(runs) SET finished_at = clock_timestamp() WHERE run_id = $1", [String(runId)])
    }

    /// Sets a run's status to failed and appends `error` to its error text.
    func markFailed(_ connection: PGConnection, runId: Int64, error: String) throws {
        try connection.execute("""
            UPDATE \(runs) SET status = 'failed', finished_at = clock_timestamp(),
              error = concat_ws(E'\\n', error, $2::text) WHERE run_id = $1
            """, [String(runId), error])
    }

    /// Records one stream's end (inside its load transaction when it succeeded).
    func recordStream(_ connection: PGConnection, run: RunContext, stream: StreamConfig, table: String,
                      progress: StreamProgress, watermarkBefore: Value?, outcome: LoadOutcome?, error: String?) throws {
        func text(_ value: Value?) -> String? { value.flatMap(ValueText.display) }
        try connection.execute("""
            INSERT INTO \(streamRuns) (run_id, stream, target_table, strategy, started_at, finished_at, status,
              rows_read, rows_loaded, rows_rejected, rows_deleted, rows_added, rows_removed, table_rows,
              watermark_before, cutoff, watermark_after, error)
            VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), clock_timestamp(), $6,
              $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            ON CONFLICT (run_id, stream) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
              rows_read = excluded.rows_read, rows_loaded = excluded.rows_loaded, rows_rejected = excluded.rows_rejected,
              rows_deleted = excluded.rows_deleted, rows_added = excluded.rows_added, rows_removed = excluded.rows_removed,
              table_rows = excluded.table_rows, watermark_before = excluded.watermark_before, cutoff = excluded.cutoff,
              watermark_after = excluded.watermark_after, attempts = \(streamRuns).attempts + 1,
              error = coalesce(excluded.error, \(streamRuns).error)
            """, [String(run.runId), stream.name, table, stream.loadSummary, String(progress.startedAt),
                  outcome == nil ? "failed" : "succeeded", String(progress.rowsRead),
                  String(outcome?.rowsLoaded ?? 0), String(progress.rowsRejected),
                  outcome.map { String($0.rowsDeleted) }, outcome.map { String($0.rowsAdded) },
                  outcome.map { String($0.rowsRemoved) }, outcome.map { String($0.tableRows) },
                  text(watermarkBefore), text(progress.cutoff), text(outcome?.watermarkAfter), error])
        if let cursor = stream.strategy.cursorField, let outcome {
            try connection.execute("""
                INSERT INTO \(watermarks) (pipeline, stream, cursor_field, value, run_id, updated_at)
                VALUES ($1, $2, $3, $4, $5, now())
                ON CONFLICT (pipeline, stream) DO UPDATE SET cursor_field = excluded.cursor_field,
                  value = excluded.value, run_id = excluded.run_id, updated_at = excluded.updated_at
                """, [run.pipeline, stream.name, cursor, text(outcome.watermarkAfter), String(run.runId)])
        }
    }
}

/// Human-readable text of cursor values for run history.
package enum ValueText {
    /// `2024-03-05T14:07:09.120Z` for dates, the number or text otherwise.
    /// - Parameter value: a cursor value.
    /// - Returns: its text; nil for `null`.
    package static func display(_ value: Value) -> String? {
        switch value {
        case .null: nil
        case .date(let ms): CivilTime(millisecondsSinceEpoch: ms).iso8601
        case .string(let text): text
        case .objectId(let hex): hex
        default: JSONText.encode(value)
        }
    }
}
