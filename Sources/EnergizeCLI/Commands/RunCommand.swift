import ArgumentParser
import EnergizeCore
import Foundation

/// `energize run`: extract-load, then transform and test the warehouse, once.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Extract-load the collections into PostgreSQL, then transform and test the warehouse.",
        discussion: """
            Reads the project's energize.yml (the current folder's, --project DIR or --config FILE; \
            `energize init` scaffolds one): its streams, contracts, models and tests. Flags override the file. \
            On SIGINT/SIGTERM, running streams commit or roll back and running models are cancelled; \
            the others run next time.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Comma-separated streams to run (default: all); with it, only the extract-load runs.")
    var streams: String?

    @Option(help: "Rows per batch between extraction and load.")
    var batchSize: Int?

    @Option(help: "Documents per _id range query; 0 reads each collection with one cursor.")
    var pageSize: Int?

    @Option(help: "Streams loaded, models built and data tests run at the same time (each step its own).")
    var concurrency: Int?

    @Option(help: "Read the collections from this mongodump folder (<collection>.bson or .bson.gz) instead of MongoDB.")
    var fromDump: String?

    @Option(help: "Exit with status 3 when a stream rejects more than this share (0…1) of its documents; the data still loads.")
    var maxRejectRatio: Double?

    @Option(help: "Retries of a stream after a transient failure (connection refused, server restarting).")
    var retries: Int?

    @Flag(help: "Only extract-load: skip the transform and the data tests.")
    var skipTransform = false

    @Flag(help: "Rebuild incremental models from scratch.")
    var fullRefresh = false

    @Flag(help: ArgumentHelp("Read the whole collection of every stream run (all, or --streams), as on a first load: rows of documents no longer in MongoDB are deleted and each stream's load rejects start over.",
                             discussion: "For an incremental stream whose look-back window missed deletes, or documents whose cursor moved back in time (`energize verify` finds both). An append stream is reloaded only when --streams names it (its rows are history MongoDB may not keep); a collection that does not exist is an error, not an emptied table. The models rebuild what changed in this run's transform, or in the next run or transform after --streams."))
    var reload = false

    @OptionGroup var selection: SelectionOptions

    @OptionGroup var output: OutputOptions

    @OptionGroup var origin: OriginOption

    func run() async throws {
        var config = try options.load()
        origin.apply(to: &config)
        if let batchSize { config.batchSize = batchSize }
        if let pageSize { config.pageSize = pageSize }
        if let concurrency { config.concurrency = concurrency }
        if let fromDump { config.dumpFolder = fromDump }
        if let maxRejectRatio { config.maxRejectRatio = maxRejectRatio }
        if let retries { config.retry.retries = retries }
        if skipTransform { config.transform = false }
        if !selection.select.isEmpty && (!config.transform || streams != nil) {
            throw ValidationError("--select chooses the models to build; with --skip-transform, --streams or transform.enabled false no model is built")
        }
        let stop = StopRequest()
        let signals = SignalWatcher(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let execution = PipelineExecution(config: config, streamNames: streams.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                                          select: selection.select, fullRefresh: fullRefresh, reload: reload, quiet: output.quiet, stop: stop,
                                          json: output.logFormat == .json, logger: output.logger())
        let status = try await execution.run()
        if status != .succeeded { throw ExitCode(status.rawValue) }
    }
}

/// A failure the CLI reports as one line and exit status 1.
enum CLIError: Error, CustomStringConvertible {
    case failed(String)

    var description: String {
        switch self {
        case .failed(let message): message
        }
    }
}
