import Foundation

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
    /// Set for a micro-batch of changes (``ChangeApplier``): where a change stream resumes after
    /// the batch (the source's token, opaque bytes). The sink keeps it in the same transaction as
    /// the rows, and records the batch as changes applied rather than as a stream run.
    public var resumeToken: Data?
    /// When the last change of the batch happened on the source, in milliseconds since the epoch.
    public var resumeTokenTime: Int64?
    /// The changes the batch applied (events after the last one per document), for a micro-batch.
    public var changesApplied = 0

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
    /// Documents the load rejected as it committed, beyond those rejected as they were read: a
    /// keyed stream's documents whose key another document of the same load holds.
    public var rowsRejected = 0

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
    /// What the extraction does to each batch before queueing it for `write(prepared:)`, on its
    /// own thread: the work overlaps the load of the batch before, and the queue holds what the
    /// load needs instead of the values. The default queues the batch as it is.
    var preparation: BatchPreparation { get }
    /// Writes one prepared batch; the default writes its batch with `write(_:)`.
    /// - Parameter prepared: a batch as `preparation` left it.
    func write(prepared: PreparedBatch) throws
}

extension StreamLoad {
    /// Batches are queued as they are.
    public var preparation: BatchPreparation { .none }

    /// Writes the batch `preparation` kept.
    public func write(prepared: PreparedBatch) throws {
        guard let batch = prepared.batch else {
            throw EnergizeError(.invalidBatch, "a prepared batch without its values reached a load that cannot write what its preparation made")
        }
        try write(batch)
    }
}

/// What a sink does to a batch on the extraction's thread before its load writes it.
public struct BatchPreparation: Sendable {
    /// Turns a batch into what the load's `write(prepared:)` takes.
    public let prepare: @Sendable (RecordBatch) -> PreparedBatch

    /// A preparation.
    /// - Parameter prepare: turns a batch into what the load writes (it runs on the extraction's thread).
    public init(_ prepare: @escaping @Sendable (RecordBatch) -> PreparedBatch) {
        self.prepare = prepare
    }

    /// Keeps the batch as it is.
    public static let none = BatchPreparation { PreparedBatch($0) }
}

/// A batch on its way from extraction to load: its shape and rejects, and either its values or
/// what the sink's preparation made of them (a sink writing COPY text keeps only the text, which
/// is far smaller than the values).
public struct PreparedBatch: Sendable {
    /// The columns of the rows, in the order the payload or the batch holds them.
    public let schema: Schema
    /// The number of rows.
    public let rowCount: Int
    /// The documents that go to the rejects table.
    public let rejects: [Reject]
    /// The batch, when the preparation kept it.
    public let batch: RecordBatch?
    /// What the preparation made of the rows (e.g. their COPY text); nil when it kept the batch.
    public let payload: [UInt8]?

    /// The batch as it is.
    /// - Parameter batch: the rows and rejects.
    public init(_ batch: RecordBatch) {
        self.init(batch, payload: nil)
    }

    /// A batch whose values were made into `payload`; the values are not kept when a payload is given.
    /// - Parameters:
    ///   - batch: the rows and rejects.
    ///   - payload: what the sink made of the rows; nil to keep the batch.
    public init(_ batch: RecordBatch, payload: [UInt8]?) {
        schema = batch.schema
        rowCount = batch.rowCount
        rejects = batch.rejects
        self.batch = payload == nil ? batch : nil
        self.payload = payload
    }
}
