import Foundation

/// A set of streams from one source to one sink, run together as one run.
///
/// Each stream extracts on a thread of its own while another thread loads the previous
/// batches (a bounded queue between them), so blocking C calls never occupy Swift's
/// cooperative pool; up to `settings.concurrency` streams run at once.
public struct Pipeline: Sendable {
    /// The pipeline's name, recorded with every run (and the key of its lock and watermarks).
    public var name: String
    /// Where documents come from.
    public var source: any Source
    /// Where batches go.
    public var sink: any Sink
    /// The streams, run in this order as concurrency allows.
    public var streams: [StreamConfig]
    /// Batch size, buffering, parallelism, reject threshold and retries.
    public var settings: PipelineSettings

    /// A pipeline from `source` to `sink`.
    /// - Parameters:
    ///   - name: the pipeline's name, recorded with every run.
    ///   - source: where documents come from.
    ///   - sink: where batches go.
    ///   - streams: the collections to load and how.
    ///   - settings: how data moves (default: `PipelineSettings()`).
    public init(name: String, source: any Source, sink: any Sink, streams: [StreamConfig],
                settings: PipelineSettings = PipelineSettings()) {
        self.name = name
        self.source = source
        self.sink = sink
        self.streams = streams
        self.settings = settings
    }

    /// Runs every stream once and returns how each ended; a failed stream does not stop the others.
    /// - Parameters:
    ///   - existing: the run the streams belong to, when the caller began it (`Sink.beginRun`)
    ///     to record what came before them; nil to begin one now.
    ///   - stop: asks the run to stop early: streams not yet started are skipped.
    ///   - onEvent: called from stream threads as streams start, progress and finish.
    /// - Returns: one report per stream, in the order of `streams`.
    /// - Throws: only when the run cannot start or end (the sink is unreachable).
    public func run(in existing: RunContext? = nil, stop: StopRequest = StopRequest(),
                    onEvent: @escaping @Sendable (PipelineEvent) -> Void = { _ in }) async throws -> RunReport {
        let started = ContinuousClock.now
        let context = try await onOwnThread { [sink, name, streams] in
            try existing ?? sink.beginRun(pipeline: name, streams: streams)
        }
        var reports: [StreamReport] = []
        await withTaskGroup(of: StreamReport.self) { group in
            var pending = streams[...]
            func startNext() {
                guard let stream = pending.popFirst() else { return }
                let runner = StreamRunner(stream: stream, source: source, sink: sink, context: context, settings: settings, onEvent: onEvent)
                group.addTask {
                    if stop.isRequested { return .notStarted(stream) }
                    return await onOwnThread { runner.runWithRetries(stop: stop) }
                }
            }
            for _ in 0..<settings.concurrency { startNext() }
            for await report in group {
                reports.append(report)
                startNext()
            }
        }
        let order = Dictionary(uniqueKeysWithValues: streams.enumerated().map { ($1.name, $0) })
        reports.sort { order[$0.stream, default: 0] < order[$1.stream, default: 0] }
        let report = RunReport(run: context, streams: reports, durationSeconds: started.duration(to: .now).seconds)
        try await onOwnThread { [sink] in try sink.finishRun(report) }
        return report
    }
}

extension Duration {
    /// The duration in seconds, as a double (attoseconds included).
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs blocking `work` on a new thread of its own, off Swift's cooperative pool, and returns its result.
/// - Parameter work: the blocking work (libpq or libmongoc calls, waits).
package func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Runs blocking `work` on a new thread of its own, off Swift's cooperative pool, and returns its result.
/// - Parameter work: the blocking work.
package func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
