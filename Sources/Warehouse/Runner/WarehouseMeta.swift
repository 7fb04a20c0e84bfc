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
    var rejectRecordings: String { SQLIdentifier.qualified(schema, "reject_recordings") }
    /// When each relation last changed.
    var marks: ChangeMarks { ChangeMarks(schema: schema) }

    /// Creates the schema and its tables when missing, and brings older ones up to date; runs no
    /// DDL (and so takes no lock on those tables) when they are current (see `SchemaSetup` in EnergizeCore).
    /// - Parameter executor: a connection to the warehouse.
    public func create(_ executor: any SQLExecutor) throws {
        try executor.inTransaction {
            try executor.run("SELECT pg_advisory_xact_lock(hashtext('energize ddl'))", [])
            try setup.apply(executor)
        }
    }

    /// The DDL of the transform's history.
    var setup: SchemaSetup {
        SchemaSetup(metaSchema: schema, statements: [
            "CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(schema))",
            """
            CREATE TABLE IF NOT EXISTS \(modelRuns) (run_id bigint NOT NULL, model text NOT NULL,
              materialization text NOT NULL, status text NOT NULL, rows bigint, duration_seconds double precision,
              error text, finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run_id, model))
            """,
            """
            CREATE TABLE IF NOT EXISTS \(modelState) (model text PRIMARY KEY, last_run_id bigint NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            """
            CREATE TABLE IF NOT EXISTS \(testResults) (run_id bigint NOT NULL, test text NOT NULL, model text NOT NULL,
              status text NOT NULL, failures bigint NOT NULL, sample text, PRIMARY KEY (run_id, test))
            """,
            // What a build or a test run saw: its definition's fingerprint and the largest version
            // among what it read (see ChangeMarks); equal at the next run, it need not run again.
            "ALTER TABLE \(modelState) ADD COLUMN IF NOT EXISTS fingerprint text, ADD COLUMN IF NOT EXISTS inputs_version bigint",
            "ALTER TABLE \(testResults) ADD COLUMN IF NOT EXISTS fingerprint text, ADD COLUMN IF NOT EXISTS inputs_version bigint",
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(Self.testResultsIndex)) ON \(testResults) (test, run_id)",
            // What the last recording of a rejects-listing model's rows saw (see RejectRecording).
            """
            CREATE TABLE IF NOT EXISTS \(rejectRecordings) (model text PRIMARY KEY, last_run_id bigint NOT NULL,
              fingerprint text NOT NULL, outside_version bigint, by_document boolean NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
        ] + marks.createStatements,
        // Tables in the order a build locks them (its mark, its state, its run), then the rest.
        relations: marks.relations.prefix(1) + [modelState, modelRuns, testResults, rejectRecordings, SQLIdentifier.qualified(schema, Self.testResultsIndex)]
            + marks.relations.dropFirst(),
        functions: marks.functions)
    }

    private static let testResultsIndex = "test_results_test_run"

    /// The last run that built `model`, 0 if none (or before the history exists).
    func lastRun(_ executor: any SQLExecutor, model: String) throws -> Int64 {
        try buildState(executor, model: model)?.runId ?? 0
    }

    /// What the last build of a model saw; nil before its first build.
    struct BuildState {
        /// The run that built it.
        var runId: Int64
        /// Its definition's fingerprint then (nil when not recorded).
        var fingerprint: String?
        /// The largest version among what it read then (nil when one was unknown).
        var inputsVersion: Int64?
    }

    /// What the last build of `model` saw; nil before its first (or before the history exists).
    func buildState(_ executor: any SQLExecutor, model: String) throws -> BuildState? {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [modelState]) == "t" else { return nil }
        guard let row = try executor.run("SELECT last_run_id, fingerprint, inputs_version FROM \(modelState) WHERE model = $1", [model]).first,
              let runId = row[0].flatMap({ Int64($0) }) else { return nil }
        return BuildState(runId: runId, fingerprint: row[1], inputsVersion: row[2].flatMap { Int64($0) })
    }

    /// Records `runId` as the model's last build, with what it saw.
    /// - Parameters:
    ///   - fingerprint: the model's definition's fingerprint (nil: the build cannot be reused).
    ///   - inputsVersion: the largest version among what it read (nil: unknown).
    func recordState(_ executor: any SQLExecutor, model: String, runId: Int64, fingerprint: String? = nil, inputsVersion: Int64? = nil) throws {
        try executor.run("""
            INSERT INTO \(modelState) (model, last_run_id, fingerprint, inputs_version) VALUES ($1, $2, $3, $4)
            ON CONFLICT (model) DO UPDATE SET last_run_id = excluded.last_run_id, fingerprint = excluded.fingerprint,
              inputs_version = excluded.inputs_version, updated_at = clock_timestamp()
            """, [model, String(runId), fingerprint, inputsVersion.map(String.init)])
    }

    /// What the last recording of a model's rejects saw; nil before the first.
    struct RejectRecordingState: Equatable {
        /// The run that recorded them: the raw rows of later runs are the documents to look at again.
        var runId: Int64
        /// The model's definition's fingerprint then.
        var fingerprint: String
        /// The raw table's last write outside energize then (see `ChangeMarks.outsideVersion` (EnergizeCore)).
        var outsideVersion: Int64?
        /// Whether every row's `document_id` was a raw `_id`, so the next recording may look at changed documents only.
        var byDocument: Bool
    }

    /// What the last recording of `model`'s rejects saw; nil before the first (or before the table exists).
    func rejectRecordingState(_ executor: any SQLExecutor, model: String) throws -> RejectRecordingState? {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [rejectRecordings]) == "t" else { return nil }
        guard let row = try executor.run("""
            SELECT last_run_id, fingerprint, outside_version, by_document FROM \(rejectRecordings) WHERE model = $1
            """, [model]).first, let runId = row[0].flatMap({ Int64($0) }), let fingerprint = row[1] else { return nil }
        return RejectRecordingState(runId: runId, fingerprint: fingerprint, outsideVersion: row[2].flatMap { Int64($0) }, byDocument: row[3] == "t")
    }

    /// Records what a recording of `model`'s rejects saw, in the recording's transaction.
    func recordRejectRecording(_ executor: any SQLExecutor, model: String, _ state: RejectRecordingState) throws {
        try executor.run("""
            INSERT INTO \(rejectRecordings) (model, last_run_id, fingerprint, outside_version, by_document) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (model) DO UPDATE SET last_run_id = excluded.last_run_id, fingerprint = excluded.fingerprint,
              outside_version = excluded.outside_version, by_document = excluded.by_document, updated_at = clock_timestamp()
            """, [model, String(state.runId), state.fingerprint, state.outsideVersion.map(String.init), state.byDocument ? "true" : "false"])
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

    /// Records a test's result under `runId`, with what it saw.
    /// - Parameters:
    ///   - fingerprint: the test's query's fingerprint.
    ///   - inputsVersion: the largest version among what it read (nil: unknown).
    func recordTest(_ executor: any SQLExecutor, runId: Int64, _ result: DataTestResult, fingerprint: String? = nil, inputsVersion: Int64? = nil) throws {
        let status = result.reusedFrom != nil ? "unchanged" : result.error != nil ? "error" : result.passed ? "passed" : "failed"
        try executor.run("""
            INSERT INTO \(testResults) (run_id, test, model, status, failures, sample, fingerprint, inputs_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (run_id, test) DO UPDATE SET status = excluded.status, failures = excluded.failures, sample = excluded.sample,
              fingerprint = excluded.fingerprint, inputs_version = excluded.inputs_version
            """, [String(runId), result.name, result.model, status, String(result.failures),
                  result.error ?? (result.sample.isEmpty ? nil : result.sample.joined(separator: "; ")), fingerprint, inputsVersion.map(String.init)])
    }

    /// The last run of each test that ran it (not one that reused an earlier result): its run,
    /// whether it passed, and what it saw.
    func lastTestRuns(_ executor: any SQLExecutor) throws -> [String: (runId: Int64, passed: Bool, fingerprint: String?, inputsVersion: Int64?)] {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [testResults]) == "t" else { return [:] }
        var runs: [String: (runId: Int64, passed: Bool, fingerprint: String?, inputsVersion: Int64?)] = [:]
        for row in try executor.run("""
            SELECT DISTINCT ON (test) test, run_id, status, fingerprint, inputs_version FROM \(testResults)
            WHERE status IN ('passed', 'failed', 'error') ORDER BY test, run_id DESC
            """, []) {
            guard let test = row[0], let runId = row[1].flatMap({ Int64($0) }) else { continue }
            runs[test] = (runId, row[2] == "passed", row[3], row[4].flatMap { Int64($0) })
        }
        return runs
    }
}
