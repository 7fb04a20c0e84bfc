import EnergizeCore

/// Where and how `PGSink` writes.
public struct PGSinkSettings: Sendable, Hashable {
    /// Schema of the raw tables and `_rejects` (default `public`).
    public var rawSchema: String
    /// Schema of run history, watermarks and column names (default `energize_meta`).
    public var metaSchema: String
    /// The PostgreSQL backend holding the run's ``PipelineLock``: each load checks inside its
    /// transaction that this backend still holds the stream's lock before it commits, and the
    /// run is recorded with it (a run whose holder is gone is abandoned).
    package var lockHolder: Int32?
    /// Leave a run `running` when its streams succeed (a transform and tests follow, and
    /// ``PGSink/completeRun(runId:)`` ends it).
    package var keepsRunOpen = false
    /// Who started the run (an orchestrator's run and task, e.g. `airflow energize_shop
    /// scheduled__2026-01-01 load_orders try 2`), kept in the run history's `origin`; nil: nobody said.
    public var origin: String?

    /// Where the sink writes; both schemas are created when missing.
    /// - Parameters:
    ///   - rawSchema: the schema of the raw tables and `_rejects`.
    ///   - metaSchema: the schema of run history, watermarks and column names.
    public init(rawSchema: String = "public", metaSchema: String = RunContext.defaultMetaSchema) {
        self.rawSchema = rawSchema
        self.metaSchema = metaSchema
    }
}

/// A `Sink` that loads PostgreSQL through libpq with COPY, one connection and one
/// transaction per stream.
public struct PGSink: Sink {
    /// The libpq connection string; errors print it with its password masked.
    public var connectionString: String
    /// Where the sink writes.
    public var settings: PGSinkSettings

    /// A sink writing into the database `connectionString` names.
    /// - Parameters:
    ///   - connectionString: a `postgresql://` URI or `key=value` string; its password is never printed.
    ///   - settings: the raw and meta schemas (default `public` and `energize_meta`).
    public init(connectionString: String, settings: PGSinkSettings = PGSinkSettings()) {
        self.connectionString = connectionString
        self.settings = settings
    }

    var meta: MetaStore { MetaStore(schema: settings.metaSchema) }
    /// When each raw table last changed, for the transform (see ``ChangeMarks``).
    var marks: ChangeMarks { ChangeMarks(schema: settings.metaSchema) }
    /// The quoted `_rejects` relation of the raw schema: documents that could not load, with the reason.
    public var rejectsTable: String { SQLIdentifier.qualified(settings.rawSchema, "_rejects") }

    /// Creates the meta schema's tables, the raw schema and `_rejects` when missing, and brings
    /// older ones up to date (new columns), without starting a run.
    /// - Throws: `PGError` when the database cannot be reached or changed.
    package func prepare() throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try prepare(connection)
    }

    private func prepare(_ connection: PGConnection) throws {
        try connection.transaction {
            // One creator at a time: concurrent CREATE … IF NOT EXISTS can still collide.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('energize ddl'))")
            try setup.apply(connection)
        }
    }

    /// The DDL of the run history and `_rejects`; none runs when they are current (see `SchemaSetup`).
    var setup: SchemaSetup {
        let rejectsIndex = "_rejects_document_idx"
        return SchemaSetup(metaSchema: settings.metaSchema, statements: meta.createStatements + [
            "CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(settings.rawSchema))",
            """
            CREATE TABLE IF NOT EXISTS \(rejectsTable) (run_id bigint NOT NULL, collection text NOT NULL,
              document_id text, reason text NOT NULL, document jsonb NOT NULL,
              rejected_at timestamptz NOT NULL DEFAULT now())
            """,
            // One current row per rejected document: the runs that first and last rejected it, and
            // who rejected it (`load`: the contract, at load time; `model <name>`: a rejects_of view).
            """
            ALTER TABLE \(rejectsTable) ADD COLUMN IF NOT EXISTS first_run_id bigint, ADD COLUMN IF NOT EXISTS last_run_id bigint,
              ADD COLUMN IF NOT EXISTS origin text NOT NULL DEFAULT 'load'
            """,
            "CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(rejectsIndex)) ON \(rejectsTable) (collection, document_id)",
        ], relations: meta.relations(rejects: rejectsTable) + [SQLIdentifier.qualified(settings.rawSchema, rejectsIndex)],
           functions: marks.functions)
    }

    /// See `Sink.beginRun(pipeline:streams:)`.
    public func beginRun(pipeline: String, streams: [StreamConfig]) throws -> RunContext {
        let connection = try PGConnection(connectionString, applicationName: "energize \(pipeline) run")
        defer { connection.close() }
        try prepare(connection)
        if settings.lockHolder != nil { try meta.markAbandoned(connection, pipeline: pipeline) }
        let (runId, startedAt) = try meta.startRun(connection, pipeline: pipeline, streams: streams.count, holder: settings.lockHolder,
                                                   origin: settings.origin)
        return RunContext(runId: runId, pipeline: pipeline, startedAt: startedAt)
    }

    /// See `Sink.openLoad(for:run:)`.
    public func openLoad(for stream: StreamConfig, run: RunContext) throws -> any StreamLoad {
        let connection = try PGConnection(connectionString, applicationName: "energize \(run.pipeline) stream \(stream.name)")
        do {
            return try PGStreamLoad(connection: connection, stream: stream, run: run, sink: self)
        } catch {
            connection.close()
            throw error
        }
    }

    /// Marks a run failed after the fact (its transform or data tests failed), keeping earlier errors.
    /// - Parameters:
    ///   - runId: the run, as `beginRun` returned it.
    ///   - error: what failed, appended to the run's error text.
    /// - Throws: `PGError` when the database cannot be reached or updated.
    public func markRunFailed(runId: Int64, error: String) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try meta.markFailed(connection, runId: runId, error: error)
    }

    /// A SQL expression of a run's status as it truly is: `abandoned` for a run still recorded
    /// as `running` whose process is gone (no session holds its lock any more).
    /// - Parameter alias: the alias of the `runs` table in the query.
    package static func statusExpression(runs alias: String) -> String {
        "CASE WHEN \(MetaStore.abandonedCondition(alias)) THEN 'abandoned' ELSE \(alias).status END"
    }

    /// Ends a run kept open for its transform and tests as succeeded (unless it failed meanwhile).
    /// - Parameter runId: the run, as `beginRun` returned it.
    /// - Throws: `PGError` when the database cannot be reached or updated.
    package func completeRun(runId: Int64) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try meta.complete(connection, runId: runId)
    }

    /// Marks a run stopped on request (its transform or tests did not finish).
    /// - Parameters:
    ///   - runId: the run, as `beginRun` returned it.
    ///   - reason: what was left undone.
    /// - Throws: `PGError` when the database cannot be reached or updated.
    package func markRunStopped(runId: Int64, reason: String) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try meta.markStopped(connection, runId: runId, reason: reason)
    }

    /// Moves a run's end to now, after its transform and data tests.
    /// - Parameter runId: the run, as `beginRun` returned it.
    /// - Throws: `PGError` when the database cannot be reached or updated.
    public func extendRun(runId: Int64) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try meta.extend(connection, runId: runId)
    }

    /// See `Sink.finishRun(_:)`.
    public func finishRun(_ report: RunReport) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize run history")
        defer { connection.close() }
        try meta.finishRun(connection, report, keepOpen: settings.keepsRunOpen)
    }
}
