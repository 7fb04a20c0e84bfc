import ArgumentParser
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink

/// `energize run`: extract-load of the EnergizeTech streams.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Extract-load the collections into PostgreSQL, then transform and test the warehouse.",
        discussion: """
            customers, products and stores load with `replace`; sales and transactions with \
            `incremental` on updated_at with a 7-day look-back. Then the warehouse models are built \
            inside PostgreSQL and the data tests run. Exit status: 1 a stream or model failed, \
            3 a stream rejected more than --max-reject-ratio, 4 a data test failed.
            """)

    @OptionGroup var connections: ConnectionOptions

    @Option(help: "Schema of the raw tables and _rejects.")
    var rawSchema = "public"

    @Option(help: "Read the collections from this mongodump folder (<collection>.bson or .bson.gz) instead of MongoDB.")
    var fromDump: String?

    @Option(help: "Comma-separated streams to run (default: all five); with it, only the extract-load runs.")
    var streams: String?

    @Option(help: "Rows per batch between extraction and load.")
    var batchSize = 5_000

    @Option(help: "Documents per _id range query; 0 reads each collection with one cursor.")
    var pageSize = 0

    @Option(help: "Streams run at the same time.")
    var concurrency = 2

    @Option(help: "Exit with status 3 when a stream rejects more than this share (0…1) of its documents; the data still loads.")
    var maxRejectRatio: Double?

    @Flag(help: "Only extract-load: skip the transform and the data tests.")
    var skipTransform = false

    @Flag(help: "Rebuild incremental models from scratch.")
    var fullRefresh = false

    @Option(help: "A folder of .sql model files to build next to the built-in models (see docs/models.md).")
    var modelsDir: String?

    @Flag(help: "Print only the summary's last line.")
    var quiet = false

    func run() async throws {
        let selected = try selectedStreams()
        let pipeline = Pipeline(
            name: "energizetech",
            source: try source(),
            sink: PGSink(connectionString: try connections.resolvedPGURI(), settings: PGSinkSettings(rawSchema: rawSchema)),
            streams: selected,
            settings: PipelineSettings(batchSize: batchSize, concurrency: concurrency, maxRejectRatio: maxRejectRatio))
        let report: RunReport
        do {
            report = try await pipeline.run()
        } catch {
            throw CLIError.failed("the run could not start: \(error)")
        }
        let summary = RunSummary(report: report)
        print(quiet ? summary.verdict : summary.text)
        if !report.succeeded {
            if !skipTransform { print("transform skipped: the extract-load did not succeed") }
            throw ExitCode(1)
        }
        if !skipTransform && streams == nil {
            let uri = try connections.resolvedPGURI()
            let step = try WarehouseStep(pgURI: uri, rawSchema: rawSchema, modelsDirectory: modelsDir)
            let status = try await WarehouseRun(step: step, sink: PGSink(connectionString: uri, settings: PGSinkSettings(rawSchema: rawSchema)),
                                                quiet: quiet)
                .transformAndTest(report.run, select: [], fullRefresh: fullRefresh, skipTests: false)
            if status != 0 { throw ExitCode(status) }
        }
        if !report.streamsOverRejectThreshold.isEmpty { throw ExitCode(3) }
    }

    private func source() throws -> any Source {
        if let fromDump { return MongoDumpSource(folder: fromDump) }
        return MongoSource(uri: try connections.resolvedMongoURI(), database: connections.database,
                           options: MongoReadOptions(pageSize: pageSize))
    }

    private func selectedStreams() throws -> [StreamConfig] {
        guard let streams else { return EnergizeTechStreams.all }
        let names = streams.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let stream = EnergizeTechStreams.all.first(where: { $0.name == name }) else {
                throw ValidationError("unknown stream `\(name)` in --streams; known: \(EnergizeTechStreams.all.map(\.name).joined(separator: ", "))")
            }
            return stream
        }
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
