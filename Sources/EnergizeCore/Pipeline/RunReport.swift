/// How one stream of a run ended.
public struct StreamReport: Sendable, Hashable {
    /// How a stream ended.
    public enum Status: String, Sendable, Hashable {
        /// Its load committed.
        case succeeded
        /// Its load rolled back; `error` says why.
        case failed
        /// Not started: the run was asked to stop first.
        case skipped
    }

    /// The stream's name.
    public var stream: String
    /// Its load strategy, as `LoadStrategy.summary` writes it.
    public var strategy: String
    /// How it ended.
    public var status: Status
    /// Documents read from the source (rows and rejects).
    public var rowsRead: Int
    /// Documents that went to the rejects table.
    public var rowsRejected: Int
    /// The greatest cursor value in the table before the run (incremental streams).
    public var watermarkBefore: Value?
    /// The cursor value extraction started from (incremental streams after their first run).
    public var cutoff: Value?
    /// Set when the load committed.
    public var outcome: LoadOutcome?
    /// How long the stream took, in seconds (its last attempt).
    public var durationSeconds: Double
    /// The error of a failed stream, safe to print.
    public var error: String?
    /// Whether retrying the failed stream can help.
    public var retryability: Retryability?
    /// The configured reject threshold the stream was held to, if any.
    public var maxRejectRatio: Double?
    /// How many times the stream ran (1 without retries).
    public var attempts = 1

    /// The report of one stream.
    /// - Parameters:
    ///   - stream: the stream's name.
    ///   - strategy: its load strategy's summary.
    ///   - status: how it ended.
    ///   - rowsRead: documents read (rows and rejects).
    ///   - rowsRejected: documents rejected.
    ///   - watermarkBefore: the table's greatest cursor value before the run.
    ///   - cutoff: the cursor value extraction started from.
    ///   - outcome: what the committed load did; nil when it did not commit.
    ///   - durationSeconds: how long it took.
    ///   - error: why it failed, safe to print.
    ///   - retryability: whether retrying the failure can help.
    ///   - maxRejectRatio: the reject threshold it was held to, if any.
    public init(stream: String, strategy: String, status: Status, rowsRead: Int, rowsRejected: Int,
                watermarkBefore: Value?, cutoff: Value?, outcome: LoadOutcome?, durationSeconds: Double,
                error: String? = nil, retryability: Retryability? = nil, maxRejectRatio: Double? = nil) {
        self.stream = stream
        self.strategy = strategy
        self.status = status
        self.rowsRead = rowsRead
        self.rowsRejected = rowsRejected
        self.watermarkBefore = watermarkBefore
        self.cutoff = cutoff
        self.outcome = outcome
        self.durationSeconds = durationSeconds
        self.error = error
        self.retryability = retryability
        self.maxRejectRatio = maxRejectRatio
    }

    /// A stream that did not start because its run was asked to stop.
    /// - Parameter stream: the stream.
    public static func notStarted(_ stream: StreamConfig) -> StreamReport {
        StreamReport(stream: stream.name, strategy: stream.loadSummary, status: .skipped, rowsRead: 0, rowsRejected: 0,
                     watermarkBefore: nil, cutoff: nil, outcome: nil, durationSeconds: 0,
                     error: "stream \(stream.name): not started, the run was asked to stop")
    }

    /// The share of read documents that were rejected.
    public var rejectRatio: Double { rowsRead == 0 ? 0 : Double(rowsRejected) / Double(rowsRead) }

    /// Whether more documents were rejected than the threshold allows (the data still loaded).
    public var rejectThresholdExceeded: Bool {
        maxRejectRatio.map { rejectRatio > $0 } ?? false
    }
}

/// How a whole run ended: one report per stream.
public struct RunReport: Sendable, Hashable {
    /// The run: its id, pipeline and start.
    public var run: RunContext
    /// One report per stream, in the pipeline's order.
    public var streams: [StreamReport]
    /// How long the run took, in seconds.
    public var durationSeconds: Double

    /// The report of a run.
    /// - Parameters:
    ///   - run: the run.
    ///   - streams: how each stream ended.
    ///   - durationSeconds: how long the run took.
    public init(run: RunContext, streams: [StreamReport], durationSeconds: Double) {
        self.run = run
        self.streams = streams
        self.durationSeconds = durationSeconds
    }

    /// Whether every stream succeeded.
    public var succeeded: Bool { streams.allSatisfy { $0.status == .succeeded } }

    /// Whether streams were skipped because the run was asked to stop.
    public var stopped: Bool { streams.contains { $0.status == .skipped } }

    /// Streams that rejected more than their threshold allows.
    public var streamsOverRejectThreshold: [StreamReport] { streams.filter(\.rejectThresholdExceeded) }
}
