import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// `energize follow`: holds the followed streams' locks, records one run for the whole time it
/// follows, and runs a ``StreamFollower`` per stream until a stop is requested or one fails.
struct FollowExecution {
    var config: EnergizeConfig
    /// Follow only these streams (default: all).
    var streamNames: [String]?
    /// A micro-batch commits at this many changes…
    var batchChanges: Int
    /// …or this many seconds after its first change.
    var batchSeconds: Double
    var stop = StopRequest()

    /// Follows until stopped (exit status 6) or until a stream fails (1); 5 when another run holds a stream's lock.
    func run() async throws -> PipelineExecution.Status {
        let pgURI = try config.requirePG()
        _ = try config.requireMongo()
        let selected = try config.selectedStreams(streamNames)
        let lost = LostLock()
        guard let lock = try config.takeLock(pgURI: pgURI, streams: selected, transform: false, stop: stop, lost: lost) else { return .locked }
        defer { lock.release() }
        var sink = config.sink(pgURI: pgURI)
        sink.settings.lockHolder = lock.backendPID
        let changes = MongoChangeSource(uri: try config.requireMongo(), database: config.sourceDatabase,
                                        options: MongoReadOptions(pageSize: config.pageSize))
        let followRun = try sink.beginRun(pipeline: config.pipeline, streams: selected)
        print("following \(selected.map(\.name).joined(separator: ", ")) (run \(followRun.runId)); SIGINT or SIGTERM commits what was gathered and stops")
        let failures = await withTaskGroup(of: String?.self) { group in
            for stream in selected {
                let follower = StreamFollower(config: config, stream: stream, changes: changes, sink: sink, followRun: followRun, batchChanges: batchChanges,
                                              batchSeconds: batchSeconds, stop: stop, say: { print($0) })
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
