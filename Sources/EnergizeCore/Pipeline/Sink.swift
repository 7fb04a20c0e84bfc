/// One pipeline run as the sink knows it.
public struct RunContext: Sendable, Hashable {
    /// The run's id, stamped on loaded rows and persisted state.
    public var runId: Int64
    /// The pipeline's name.
    public var pipeline: String
    /// When the run started, in milliseconds since the epoch.
    public var startedAt: Int64

    /// A run as a sink recorded it.
    /// - Parameters:
    ///   - runId: the run's id.
    ///   - pipeline: the pipeline's name.
    ///   - startedAt: when the run started, in milliseconds since the epoch.
    public init(runId: Int64, pipeline: String, startedAt: Int64) {
        self.runId = runId
        self.pipeline = pipeline
        self.startedAt = startedAt
    }

    /// `energize_meta`: the schema where a sink and the transform runner keep run history,
    /// watermarks and model state unless told another (`PGSinkSettings.metaSchema`,
    /// `WarehouseMeta.schema`).
    public static let defaultMetaSchema = "energize_meta"
}

/// Where batches go: PostgreSQL, an in-memory fake.
public protocol Sink: Sendable {
    /// Records the start of a run and prepares what every stream shares (schemas, rejects table).
    /// - Parameters:
    ///   - pipeline: the pipeline's name.
    ///   - streams: the streams the run will load.
    /// - Returns: the run, with the id its rows and state are stamped with.
    func beginRun(pipeline: String, streams: [StreamConfig]) throws -> RunContext
    /// Opens one stream's load: everything it writes commits together, or not at all.
    /// - Parameters:
    ///   - stream: the stream to load.
    ///   - run: the run it belongs to.
    func openLoad(for stream: StreamConfig, run: RunContext) throws -> any StreamLoad
    /// Records the end of a run with its report.
    /// - Parameter report: how every stream ended.
    func finishRun(_ report: RunReport) throws
}

/// The counts a stream reached, passed to the sink so it persists them with the data.
public struct StreamProgress: Sendable, Hashable {
    /// Documents read so far (rows and rejects).
    public var rowsRead = 0
    /// Documents rejected so far.
    public var rowsRejected = 0
    /// The cursor value extraction started from, when the stream has one.
    public var cutoff: Value?
    /// When the stream started, in milliseconds since the epoch.
    public var startedAt: Int64 = 0

    /// Progress before anything was read: zero counts, no cutoff, started at the epoch.
    public init() {}
}

/// What a committed load did to its table.
public struct LoadOutcome: Sendable, Hashable {
    /// Rows inserted by this load.
    public var rowsLoaded: Int
    /// Rows the load deleted (replace: the old content; incremental: the window and re-extracted keys).
    public var rowsDeleted: Int
    /// Rows, ignoring `_loaded_at` and `_run_id`, present now that were not before.
    public var rowsAdded: Int
    /// Rows, ignoring `_loaded_at` and `_run_id`, present before that are not now.
    public var rowsRemoved: Int
    /// Rows in the table after the load.
    public var tableRows: Int
    /// The greatest cursor value in the table after the load (incremental streams).
    public var watermarkAfter: Value?

    /// What a load did.
    /// - Parameters:
    ///   - rowsLoaded: rows inserted.
    ///   - rowsDeleted: rows deleted.
    ///   - rowsAdded: rows present now that were not before (ignoring `_loaded_at` and `_run_id`).
    ///   - rowsRemoved: rows present before that are not now (ignoring `_loaded_at` and `_run_id`).
    ///   - tableRows: rows in the table after the load.
    ///   - watermarkAfter: the table's greatest cursor value after the load (incremental streams).
    public init(rowsLoaded: Int, rowsDeleted: Int, rowsAdded: Int, rowsRemoved: Int, tableRows: Int, watermarkAfter: Value?) {
        self.rowsLoaded = rowsLoaded
        self.rowsDeleted = rowsDeleted
        self.rowsAdded = rowsAdded
        self.rowsRemoved = rowsRemoved
        self.tableRows = tableRows
        self.watermarkAfter = watermarkAfter
    }

    /// Whether the table holds the same rows as before (apart from `_loaded_at` and `_run_id`).
    public var tableUnchanged: Bool { rowsAdded == 0 && rowsRemoved == 0 }
}

/// One stream's open load in a sink. Not `Sendable`: used on the stream's load thread only.
public protocol StreamLoad: AnyObject {
    /// The columns the target table already has, so extraction widens rather than conflicts.
    var knownSchema: Schema { get }
    /// The greatest cursor value in the target before the run (incremental streams).
    var watermark: Value? { get }
    /// Writes one batch (rows and rejects) inside the load's transaction.
    /// - Parameter batch: the rows and rejects of the next stretch of the source.
    func write(_ batch: RecordBatch) throws
    /// Applies the strategy, records the stream's state and commits.
    /// - Parameter progress: the counts the stream reached, persisted with the data.
    /// - Returns: what the load did to the table.
    func commit(_ progress: StreamProgress) throws -> LoadOutcome
    /// Rolls everything back and records the failure; never throws.
    /// - Parameters:
    ///   - error: why the load is abandoned.
    ///   - progress: the counts the stream reached.
    func abort(_ error: any Error, progress: StreamProgress)
}
