import EnergizeCore

/// Where and how `PGSink` writes.
public struct PGSinkSettings: Sendable, Hashable {
    /// Schema of the raw tables and `_rejects` (warehouse.md §1: `public`).
    public var rawSchema: String
    /// Schema of run history and watermarks.
    public var metaSchema: String

    /// Creates a `PGSinkSettings` from its parts.
    public init(rawSchema: String = "public", metaSchema: String = RunContext.defaultMetaSchema) {
        self.rawSchema = rawSchema
        self.metaSchema = metaSchema
    }
}

/// A `Sink` that loads PostgreSQL through libpq with COPY, one connection and one
/// transaction per stream.
public struct PGSink: Sink {
    public var connectionString: String
    public var settings: PGSinkSettings

    /// - Parameter connectionString: a `postgresql://` URI or `key=value` string; its password is never printed.
    public init(connectionString: String, settings: PGSinkSettings = PGSinkSettings()) {
        self.connectionString = connectionString
        self.settings = settings
    }

    var meta: MetaStore { MetaStore(schema: settings.metaSchema) }
    /// The quoted `_rejects` relation of the raw schema: documents that could not load, with the reason.
    public var rejectsTable: String { SQLIdentifier.qualified(settings.rawSchema, "_rejects") }

    /// See `Sink.beginRun(pipeline:streams:)`.
    public func beginRun(pipeline: String, streams: [StreamConfig]) throws -> RunContext {
        let connection = try PGConnection(connectionString)
        defer { connection.close() }
        try connection.transaction {
            // One creator at a time: concurrent CREATE … IF NOT EXISTS can still collide.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('energize ddl'))")
            for statement in meta.createStatements { try connection.execute(statement) }
            try connection.execute("CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(settings.rawSchema))")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS \(rejectsTable) (run_id bigint NOT NULL, collection text NOT NULL,
                  document_id text, reason text NOT NULL, document jsonb NOT NULL,
                  rejected_at timestamptz NOT NULL DEFAULT now())
                """)
        }
        let (runId, startedAt) = try meta.startRun(connection, pipeline: pipeline, streams: streams.count)
        return RunContext(runId: runId, pipeline: pipeline, startedAt: startedAt)
    }

    /// See `Sink.openLoad(for:run:)`.
    public func openLoad(for stream: StreamConfig, run: RunContext) throws -> any StreamLoad {
        let connection = try PGConnection(connectionString)
        do {
            return try PGStreamLoad(connection: connection, stream: stream, run: run, sink: self)
        } catch {
            connection.close()
            throw error
        }
    }

    /// Marks a run failed after the fact (its transform or data tests failed), keeping earlier errors.
    public func markRunFailed(runId: Int64, error: String) throws {
        let connection = try PGConnection(connectionString)
        defer { connection.close() }
        try meta.markFailed(connection, runId: runId, error: error)
    }

    /// Moves a run's end to now, after its transform and data tests.
    public func extendRun(runId: Int64) throws {
        let connection = try PGConnection(connectionString)
        defer { connection.close() }
        try meta.extend(connection, runId: runId)
    }

    /// See `Sink.finishRun(_:)`.
    public func finishRun(_ report: RunReport) throws {
        let connection = try PGConnection(connectionString)
        defer { connection.close() }
        try meta.finishRun(connection, report)
    }
}
