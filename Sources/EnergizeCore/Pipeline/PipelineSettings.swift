/// How a pipeline moves data: batch size, buffering and parallelism.
public struct PipelineSettings: Sendable, Hashable {
    /// Rows per batch handed from extraction to load.
    public var batchSize: Int
    /// Batches buffered between extraction and load of one stream (memory stays flat).
    public var queueDepth: Int
    /// Streams run at the same time.
    public var concurrency: Int

    public init(batchSize: Int = 5_000, queueDepth: Int = 4, concurrency: Int = 2) {
        self.batchSize = max(1, batchSize)
        self.queueDepth = max(1, queueDepth)
        self.concurrency = max(1, concurrency)
    }
}

/// What a running pipeline tells its observer.
public enum PipelineEvent: Sendable {
    case streamStarted(stream: String, estimatedCount: Int?)
    case streamProgress(stream: String, rowsRead: Int, rowsRejected: Int)
    case streamFinished(StreamReport)
}
