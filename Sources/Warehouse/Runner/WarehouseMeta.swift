import EnergizeCore

/// The transform layer's history in the meta schema: model runs, model state, data test results.
public struct WarehouseMeta: Sendable {
    /// The meta schema (default `energize_meta`).
    public var schema: String

    /// The history in one schema.
    /// - Parameter schema: the meta schema; the pipeline's sink should use the same one.
    public init(schema: String = RunContext.defaultMetaSchema) {
        self.schema = schema
    }

    var modelRuns: String { SQLIdentifier.qualified(schema, "model_runs") }
    var modelState: String { SQLIdentifier.qualified(schema, "model_state") }
    var testResults: String { SQLIdentifier.qualified(schema, "test_results") }

    /// Creates the schema and its tables when missing.
    /// - Parameter executor: a connection to the warehouse.
    public func create(_ executor: any SQLExecutor) throws {
        try executor.inTransaction {
            try executor.run("SELECT pg_advisory_xact_lock(hashtext('energize ddl'))", [])
            try executor.run("CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(schema))", [])
            try executor.run("""
                CREATE TABLE IF NOT EXISTS \(modelRuns) (run_id bigint NOT NULL, model text NOT NULL,
                  materialization text NOT NULL, status text NOT NULL, rows bigint, duration_seconds double precision,
                  error text, finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run_id, model))
                """, [])
            try executor.run("""
                CREATE TABLE IF NOT EXISTS \(modelState) (model text PRIMARY KEY, last_run_id bigint NOT NULL,
                  updated_at timestamptz NOT NULL DEFAULT clock_timestamp())
                """, [])
            try executor.run("""
                CREATE TABLE IF NOT EXISTS \(testResults) (run_id bigint NOT NULL, test text NOT NULL, model text NOT NULL,
                  status text NOT NULL, failures bigint NOT NULL, sample text, PRIMARY KEY (run_id, test))
                """, [])
        }
    }

    /// The last run that built `model`, 0 if none (or before the history exists).
    func lastRun(_ executor: any SQLExecutor, model: String) throws -> Int64 {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [modelState]) == "t" else { return 0 }
        return Int64(try executor.scalar("SELECT last_run_id FROM \(modelState) WHERE model = $1", [model]) ?? "0") ?? 0
    }

    func recordState(_ executor: any SQLExecutor, model: String, runId: Int64) throws {
        try executor.run("""
            INSERT INTO \(modelState) (model, last_run_id) VALUES ($1, $2)
            ON CONFLICT (model) DO UPDATE SET last_run_id = excluded.last_run_id, updated_at = clock_timestamp()
            """, [model, String(runId)])
    }

    func recordModel(_ executor: any SQLExecutor, runId: Int64, _ report: ModelReport) throws {
        try executor.run("""
            INSERT INTO \(modelRuns) (run_id, model, materialization, status, rows, duration_seconds, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (run_id, model) DO UPDATE SET status = excluded.status, rows = excluded.rows,
              duration_seconds = excluded.duration_seconds, error = excluded.error
            """, [String(runId), report.model, report.materialization, report.status.rawValue, report.rows.map(String.init),
                  String(report.durationSeconds), report.error])
    }

    func recordTest(_ executor: any SQLExecutor, runId: Int64, _ result: DataTestResult) throws {
        try executor.run("""
            INSERT INTO \(testResults) (run_id, test, model, status, failures, sample) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (run_id, test) DO UPDATE SET status = excluded.status, failures = excluded.failures, sample = excluded.sample
            """, [String(runId), result.name, result.model, result.passed ? "passed" : "failed", String(result.failures),
                  result.sample.isEmpty ? nil : result.sample.joined(separator: "; ")])
    }
}
