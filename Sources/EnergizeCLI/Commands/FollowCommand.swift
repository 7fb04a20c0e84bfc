import ArgumentParser
import EnergizeCore
import Foundation

/// `energize follow`: keeps the raw tables current from MongoDB's change streams.
struct FollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Follow the collections' change streams into the raw tables until stopped (change data capture).",
        discussion: """
            The first time (and after MongoDB lost the history a stream's token needs), a stream takes a resume \
            token, then a full extract-load (the snapshot), then applies every change after the token. Changes are \
            applied in micro-batches, each committed with its resume token in one transaction: a restart resumes \
            right after the last committed batch. Inserts, updates, replaces and deletes are applied by _id; \
            documents are checked against the stream's contract as a batch load checks them. \
            SIGINT/SIGTERM commits what was gathered and exits 6.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Comma-separated streams to follow (default: all).")
    var streams: String?

    @Option(help: "A micro-batch commits once it holds this many changes (default: follow.batch_changes, else 1000).")
    var batchChanges: Int?

    @Option(help: "…or this long after its first change (a duration: 200ms, 1s, 2m; default: follow.batch_interval, else 1s).")
    var batchInterval: String?

    @Option(help: "While following, build the models and run the data tests this often when changes were applied since (a duration: 30s, 5m; default: follow.transform_every).")
    var transformEvery: String?

    @Option(help: "…or as soon as this many changes were applied since the last build (default: follow.transform_after_changes).")
    var transformAfterChanges: Int?

    @OptionGroup var origin: OriginOption

    func run() async throws {
        var config = try options.load()
        origin.apply(to: &config)
        if let batchInterval {
            guard let seconds = ConfigReader.seconds(batchInterval), seconds > 0 else {
                throw ValidationError("--batch-interval: expected a duration like 1s or 2m; got `\(batchInterval)`")
            }
            config.follow.batchSeconds = seconds
        }
        if let batchChanges {
            guard batchChanges > 0 else { throw ValidationError("--batch-changes: expected a positive number; got \(batchChanges)") }
            config.follow.batchChanges = batchChanges
        }
        if let transformEvery {
            guard let every = ConfigReader.seconds(transformEvery), every > 0 else {
                throw ValidationError("--transform-every: expected a duration like 30s or 5m; got `\(transformEvery)`")
            }
            config.follow.transformSeconds = every
        }
        if let transformAfterChanges {
            guard transformAfterChanges > 0 else {
                throw ValidationError("--transform-after-changes: expected a positive number; got \(transformAfterChanges)")
            }
            config.follow.transformChanges = transformAfterChanges
        }
        if config.follow.transforms, !config.transform {
            throw ValidationError("models cannot be built while following: the project's transform is disabled (transform.enabled: false)")
        }
        let stop = StopRequest()
        let signals = SignalWatcher(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let execution = FollowExecution(config: config, streamNames: streams.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                                        stop: stop)
        let status = try await execution.run()
        if status != .succeeded { throw ExitCode(status.rawValue) }
    }
}
