import Foundation

/// How a pipeline moves data: batch size, buffering and parallelism.
public struct PipelineSettings: Sendable, Hashable {
    /// Rows per batch handed from extraction to load.
    public var batchSize: Int
    /// The most a batch holds in memory, estimated in bytes: a batch is handed on when it
    /// reaches `batchSize` rows or this many bytes, so large documents make small batches.
    public var batchBytes: Int
    /// Batches buffered between extraction and load of one stream (memory stays flat).
    public var queueDepth: Int
    /// Streams run at the same time.
    public var concurrency: Int
    /// Columns a raw table may get (default 300: a PostgreSQL row must fit an 8 kB page even
    /// when every value is moved out of line); further fields go to the `_overflow` column.
    public var columnLimit: Int
    /// The share of a stream's documents (0…1) that may be rejected before the run counts as
    /// failed; the data still loads. `nil`: no limit.
    public var maxRejectRatio: Double?
    /// How failed streams are retried (transient failures only).
    public var retry: RetryPolicy

    /// Settings of a pipeline; values below 1 count as 1.
    /// - Parameters:
    ///   - batchSize: rows per batch handed from extraction to load.
    ///   - batchBytes: the most a batch holds, estimated in bytes (default 8 MiB).
    ///   - queueDepth: batches buffered between a stream's extraction and its load.
    ///   - concurrency: streams run at the same time.
    ///   - columnLimit: columns a raw table may get (at most 1,500); further fields go to `_overflow`.
    ///   - maxRejectRatio: the share of a stream's documents (0…1) that may be rejected before
    ///     the run counts as failed; nil for no limit.
    ///   - retry: how streams that fail transiently are retried (default: not at all).
    public init(batchSize: Int = 2_500, batchBytes: Int = 8 << 20, queueDepth: Int = 4, concurrency: Int = 2, columnLimit: Int = 300,
                maxRejectRatio: Double? = nil, retry: RetryPolicy = .none) {
        self.retry = retry
        self.batchSize = max(1, batchSize)
        self.batchBytes = max(1, batchBytes)
        self.queueDepth = max(1, queueDepth)
        self.concurrency = max(1, concurrency)
        self.columnLimit = max(1, min(columnLimit, 1_500))
        self.maxRejectRatio = maxRejectRatio
    }
}

/// What a running pipeline tells its observer.
public enum PipelineEvent: Sendable {
    /// A stream opened its reader; `estimatedCount` is the source's estimate of its documents.
    case streamStarted(stream: String, estimatedCount: Int?)
    /// A stream loaded another batch; the counts so far.
    case streamProgress(stream: String, rowsRead: Int, rowsRejected: Int)
    /// A stream ended (committed, failed or skipped).
    case streamFinished(StreamReport)
    /// A stream failed transiently and will run again after `delaySeconds`.
    case streamRetrying(stream: String, attempt: Int, delaySeconds: Double, error: String)
}

/// Asks a running pipeline to stop: streams not yet started are skipped; running ones finish
/// their transaction (commit or roll back), never half-way. Safe to set from a signal handler's thread.
public final class StopRequest: @unchecked Sendable {
    // @unchecked Sendable: `requested` is only touched under `lock`.
    private let lock = NSLock()
    private var requested = false

    /// A request not made yet; call `request()` to make it.
    public init() {}

    /// Requests the stop.
    public func request() { lock.withLock { requested = true } }

    /// Whether a stop was requested.
    public var isRequested: Bool { lock.withLock { requested } }
}
