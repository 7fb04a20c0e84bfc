/// How one stream of a run ended.
public struct StreamReport: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case succeeded, failed
        /// Not started: the run was asked to stop first.
        case skipped
    }

    public var stream: String
    public var strategy: String
    public var status: Status
    public var rowsRead: Int
    public var rowsRejected: Int
    public var watermarkBefore: Value?
    public var cutoff: Value?
    /// Set when the load committed.
    public var outcome: LoadOutcome?
    public var durationSeconds: Double
    /// The error of a failed stream, safe to print.
    public var error: String?
    /// Whether retrying the failed stream can help.
    public var retryability: Retryability?
    /// The configured reject threshold the stream was held to, if any.
    public var maxRejectRatio: Double?
    /// How many times the stream ran (1 without retries).
    public var attempts = 1

    /// Creates a `StreamReport` from its parts.
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

    /// The share of read documents that were rejected.
    public var rejectRatio: Double { rowsRead == 0 ? 0 : Double(rowsRejected) / Double(rowsRead) }

    /// Whether more documents were rejected than the threshold allows (the data still loaded).
    public var rejectThresholdExceeded: Bool {
        maxRejectRatio.map { rejectRatio > $0 } ?? false
    }
}

/// How a whole run ended: one report per stream.
public struct RunReport: Sendable, Hashable {
    public var run: RunContext
    public var streams: [StreamReport]
    public var durationSeconds: Double

    /// Creates a `RunReport` from its parts.
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
