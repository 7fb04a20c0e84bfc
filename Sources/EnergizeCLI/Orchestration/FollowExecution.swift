import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// `energize follow`: holds the followed streams' locks, records one run for the whole time it
/// follows, and runs a ``StreamFollower`` per stream until a stop is requested or one fails; with
/// `config.follow.transforms`, builds the models beside them as changes arrive.
struct FollowExecution {
    var config: EnergizeConfig
    /// Follow only these streams (default: all).
    var streamNames: [String]?
    var stop = StopRequest()

    /// Follows until stopped (exit status 6) or until a stream fails (1); 5 when another run holds a stream's lock.
    func run() async throws -> PipelineExecution.Status {
        let pgURI = try config.requirePG()
        _ = try config.requireMongo()
        let selected = try config.selectedStreams(streamNames)
        try config.checkTimeZone(pgURI: pgURI)
        let lost = LostLock()
        guard let lock = try config.takeLock(pgURI: pgURI, streams: selected, transform: false, stop: stop, lost: lost) else { return .locked }
        defer { lock.release() }
        var sink = config.sink(pgURI: pgURI)
        sink.settings.lockHolder = lock.backendPID
        let changes = MongoChangeSource(uri: try config.requireMongo(), database: config.sourceDatabase,
                                        options: MongoReadOptions(pageSize: config.pageSize))
        let followRun = try sink.beginRun(pipeline: config.pipeline, streams: selected)
        print("following \(selected.map(\.name).joined(separator: ", ")) (run \(followRun.runId)); SIGINT or SIGTERM commits what was gathered and stops")
        let gate = CommitGate()
        let failures = await withTaskGroup(of: String?.self) { group in
            if config.follow.transforms, config.transform {
                group.addTask { [config, stop] in
                    await Self.transformWhileFollowing(config: config, streams: selected.count, gate: gate, stop: stop)
                    return nil
                }
            }
            for stream in selected {
                var follower = StreamFollower(config: config, stream: stream, changes: changes, sink: sink, followRun: followRun,
                                              batchChanges: config.follow.batchChanges, batchSeconds: config.follow.batchSeconds, stop: stop, say: { print($0) })
                follower.gate = gate
                group.addTask {
                    let failure = await follower.run()
                    // One stream failing stops the others: the command says why and ends.
                    if failure != nil { stop.request() }
                    return failure
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        let streams = selected.map { stream in
            let failure = failures.first { $0.hasPrefix("stream \(stream.name):") }
            return StreamReport(stream: stream.name, strategy: "follow", status: failure == nil ? .succeeded : .failed, rowsRead: 0, rowsRejected: 0,
                                watermarkBefore: nil, cutoff: nil, outcome: nil, durationSeconds: 0, error: failure)
        }
        try? sink.finishRun(RunReport(run: followRun, streams: streams, durationSeconds: 0))
        if lost.isSet {
            let message = "the follow run's lock was lost (its PostgreSQL connection ended): nothing committed after that"
            print(message)
            try? sink.markRunFailed(runId: followRun.runId, error: message)
            return .failed
        }
        if !failures.isEmpty {
            failures.forEach { print($0) }
            try? sink.markRunFailed(runId: followRun.runId, error: failures.joined(separator: "\n"))
            return .failed
        }
        try? sink.markRunStopped(runId: followRun.runId, reason: "stopped on request after following")
        print("stopped on request: every stream committed what it had gathered")
        return .stopped
    }
}

extension FollowExecution {
    /// Builds the models and runs the data tests as `energize transform` does (a run of its own,
    /// under the transform lock): once every stream follows its changes (past its first snapshot),
    /// after each later snapshot, every `follow.transformSeconds` when changes were applied since,
    /// and as soon as `follow.transformChanges` changes were. A failing model or test is said and
    /// recorded, and following goes on; a build that could not run (the transform lock held
    /// elsewhere, a failure) is tried again after the interval (30 s without one).
    /// - Parameters:
    ///   - config: the project, its follow settings included.
    ///   - streams: how many streams are followed.
    ///   - gate: what the followers committed, and the hold a build's run id is taken under.
    ///   - stop: ends the loop.
    static func transformWhileFollowing(config: EnergizeConfig, streams: Int, gate: CommitGate, stop: StopRequest) async {
        var built: CommitGate.Progress?
        var builtAt = ContinuousClock.now
        var notBefore = ContinuousClock.now
        let retryDelay = Duration.seconds(config.follow.transformSeconds ?? 30)
        while !stop.isRequested {
            try? await Task.sleep(nanoseconds: 100_000_000)
            let now = gate.progress
            guard !stop.isRequested, ContinuousClock.now >= notBefore, now.snapshotsRunning == 0, now.streamsFollowing >= streams,
                  Self.transformDue(now, since: built, at: builtAt, config.follow) else { continue }
            let since = built.map { "\(now.changesApplied - $0.changesApplied) changes" } ?? "starting to follow"
            var status: Int32 = 1
            do {
                status = try await config.withWarehouseRun(stop: stop, gate: gate) { step, sink, context in
                    try await WarehouseRun(step: step, sink: sink, reporter: Reporter(quiet: true), stop: stop)
                        .transformAndTest(context, select: [], fullRefresh: false, skipTests: false)
                }
                print(status == 0 ? "transform after \(since): models built, data tests passed"
                                  : "transform after \(since) ended with status \(status) (\(ExitStatus.meaning(status))); following goes on")
            } catch {
                print("transform after \(since) failed: \(error); following goes on")
            }
            // Built (a failing data test leaves the models built): the next build counts from here.
            if status == 0 || status == 4 {
                built = now
                builtAt = .now
            } else {
                notBefore = .now + retryDelay
            }
        }
    }

    /// Whether the models are due: never built, a snapshot since, the interval passed with changes
    /// since, or enough changes since.
    /// - Parameters:
    ///   - now: what the followers have committed so far.
    ///   - built: what they had committed when the models were last built (nil: never).
    ///   - builtAt: when that was.
    ///   - settings: the follow settings' transform interval and count.
    static func transformDue(_ now: CommitGate.Progress, since built: CommitGate.Progress?, at builtAt: ContinuousClock.Instant,
                             _ settings: FollowSettings) -> Bool {
        guard let built else { return true }
        if now.snapshotsTaken != built.snapshotsTaken { return true }
        let changes = now.changesApplied - built.changesApplied
        guard changes > 0 else { return false }
        if let count = settings.transformChanges, changes >= count { return true }
        if let seconds = settings.transformSeconds, ContinuousClock.now - builtAt >= .seconds(seconds) { return true }
        return false
    }
}

extension EnergizeConfig {
    /// The configured streams these names select (all when nil).
    /// - Throws: `CLIError` for a name the configuration lacks, or a configuration without streams.
    func selectedStreams(_ names: [String]?) throws -> [StreamConfig] {
        guard !streams.isEmpty else {
            throw CLIError.failed("the configuration has no streams: list them under `streams:` in energize.yml")
        }
        guard let names else { return streams }
        return try names.map { name in
            guard let stream = streams.first(where: { $0.name == name }) else {
                throw CLIError.failed("unknown stream `\(name)`; the configuration has \(streams.map(\.name).joined(separator: ", "))")
            }
            return stream
        }
    }
}
