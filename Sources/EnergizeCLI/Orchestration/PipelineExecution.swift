import EnergizeCore
import Foundation
import Logging
import MongoSource
import PGSink
import Warehouse

/// One run of a configured pipeline: take the lock, extract-load, transform, test, release.
/// Shared by `energize run` and `energize schedule`.
struct PipelineExecution {
    var config: EnergizeConfig
    /// Run only these streams (then no transform).
    var streamNames: [String]?
    /// The models the transform builds (`--select`), with their data tests; all when empty.
    var select: [String] = []
    var fullRefresh = false
    /// Read each stream's whole collection and make its table what was read (see `StreamConfig.reload`).
    var reload = false
    var quiet = false
    var stop = StopRequest()
    /// Log lines as JSON, not a live line and tables.
    var json = false
    var logger = Logger(label: "energize")

    /// Exit statuses.
    enum Status: Int32 {
        case succeeded = 0, failed = 1, tooManyRejects = 3, dataTestsFailed = 4, locked = 5
        /// SIGINT/SIGTERM: the running streams finished their transaction, the others did not start.
        case stopped = 6
    }

    /// Runs once; returns the exit status.
    func run() async throws -> Status {
        let pgURI = try config.requirePG()
        let selected = try streams()
        let wholePipeline = streamNames == nil
        if wholePipeline && config.transform && !select.isEmpty {
            // A selection naming no model is a usage mistake: said before anything loads.
            _ = try ModelSelection(select).resolve(in: try ProjectModels(config: config, rawColumns: nil).graph)
        }
        // A zone the models cannot use is a configuration mistake: said before anything loads.
        if wholePipeline { try config.checkTimeZone(pgURI: pgURI) }
        let lost = LostLock()
        guard let lock = try config.takeLock(pgURI: pgURI, streams: selected, transform: wholePipeline, stop: stop, lost: lost) else {
            return .locked
        }
        defer { lock.release() }
        var sink = config.sink(pgURI: pgURI)
        sink.settings.lockHolder = lock.backendPID
        sink.settings.keepsRunOpen = wholePipeline && config.transform
        // A configuration mistake is said before the run is history.
        let mongoURI = config.dumpFolder == nil ? try config.requireMongo() : nil
        // The run is history from here: `status` shows it while MongoDB is asked (and retried).
        let context: RunContext
        do {
            context = try await onOwnThread { [sink, config, selected] in try sink.beginRun(pipeline: config.pipeline, streams: selected) }
        } catch {
            throw CLIError.failed("the run could not start: \(error)")
        }
        let began = ContinuousClock.now
        /// Ends the run before any stream started: stopped (every stream skipped), or failed saying why.
        func endBeforeStreams(failure: String?) {
            let skipped = failure != nil ? [] : selected.map(StreamReport.notStarted)
            try? sink.finishRun(RunReport(run: context, streams: skipped, durationSeconds: began.duration(to: .now).seconds))
            if let failure { try? sink.markRunFailed(runId: context.runId, error: failure) }
        }
        let preflight: Preflight
        do {
            if let mongoURI { preflight = try await checkMongoDB(uri: mongoURI) } else { preflight = .ready }
        } catch {
            endBeforeStreams(failure: "the run cannot start: \(error)")
            throw error
        }
        switch preflight {
        case .ready: break
        case .failed(let failure):
            print(failure)
            endBeforeStreams(failure: failure)
            return .failed
        case .stopped where lost.isSet:
            let message = "the run's lock was lost (its PostgreSQL connection ended) while MongoDB was being asked: no stream started; run \(context.runId) failed"
            print(message)
            endBeforeStreams(failure: message)
            return .failed
        case .stopped:
            print("stopped on request while MongoDB was being asked: no stream started; run \(context.runId) stopped")
            endBeforeStreams(failure: nil)
            return .stopped
        }
        let missing: [StreamConfig]
        do {
            missing = try missingCollections(selected)
            if let stream = missing.first(where: \.reload) {
                // A misspelt collection would empty the table.
                throw ConfigurationMissing("--reload: collection \(stream.collection) does not exist in MongoDB database \(config.sourceDatabase): "
                                           + "reloading stream \(stream.name) would empty \(config.rawSchema).\(stream.table); nothing was loaded (check the name with `energize debug`)")
            }
        } catch {
            endBeforeStreams(failure: "\(error)")
            throw error
        }
        for stream in missing {
            let message = "collection \(stream.collection) does not exist in MongoDB database \(config.sourceDatabase): stream \(stream.name) loads an empty table (check the name with `energize debug`)"
            if json { logger.warning("\(message)", metadata: ["stream": "\(stream.name)"]) } else { print("warning: " + message) }
        }
        if reload {
            let reloaded = selected.filter(\.reload).map(\.name), kept = selected.filter { !$0.reload }.map(\.name)
            var message = "reload: \(reloaded.isEmpty ? "no stream" : reloaded.joined(separator: ", ")) read whole; rows of documents no longer in MongoDB are deleted"
            if !kept.isEmpty {
                message += "; append streams \(kept.joined(separator: ", ")) load as usual (their rows are history MongoDB may not keep: name them with --streams to reload them)"
            }
            if json { logger.info("\(message)") } else if !quiet { print(message) }
        }
        let pipeline = Pipeline(name: config.pipeline, source: try source(), sink: sink, streams: selected, settings: config.settings)
        let progress = ProgressPrinter(enabled: !quiet || json, live: !json, summaryFollows: !json && !quiet, logger: logger)
        let report: RunReport
        do {
            report = try await pipeline.run(in: context, stop: stop) { progress.handle($0) }
        } catch {
            throw CLIError.failed("the run could not start: \(error)")
        }
        progress.finish()
        let summary = RunSummary(report: report)
        if json {
            logger.info("\(summary.verdict)", metadata: ["run_id": "\(report.run.runId)", "pipeline": "\(report.run.pipeline)"])
        } else {
            print(quiet ? summary.quietText : summary.text)
        }
        if lost.isSet || !lock.stillHeld() {
            let message = "the run's lock was lost (its PostgreSQL connection ended): no stream committed after that; run \(report.run.runId) failed"
            print(message)
            try? sink.markRunFailed(runId: report.run.runId, error: message)
            return .failed
        }
        if report.stopped {
            print("stopped on request: committed streams stay, the others run next time; transform skipped")
            return .stopped
        }
        if !report.succeeded {
            if config.transform && streamNames == nil { print("transform skipped: the extract-load did not succeed") }
            return .failed
        }
        if config.transform && wholePipeline {
            let status: Int32
            do {
                let step = try WarehouseStep(pgURI: pgURI, config: config)
                status = try await WarehouseRun(step: step, sink: sink, reporter: Reporter(json: json, quiet: quiet, logger: logger), stop: stop)
                    .transformAndTest(report.run, select: select, fullRefresh: fullRefresh, skipTests: false)
            } catch {
                try? sink.markRunFailed(runId: report.run.runId, error: "transform: \(error)")
                throw error
            }
            if status != 0 { return Status(rawValue: status) ?? .failed }
        } else if config.transform, report.streams.contains(where: { ($0.outcome?.rowsLoaded ?? 0) + ($0.outcome?.rowsDeleted ?? 0) > 0 }) {
            // `--streams` loads only: the models still hold what they held.
            let message = "models not built (--streams loads only): `energize transform` or the next `energize run` rebuilds what this load changed"
            if json { logger.info("\(message)") } else if !quiet { print(message) }
        }
        return report.streamsOverRejectThreshold.isEmpty ? .succeeded : .tooManyRejects
    }


    /// What asking MongoDB before the streams found.
    enum Preflight {
        case ready
        /// The line that says why the run cannot start.
        case failed(String)
        /// A stop was requested while it waited to ask again.
        case stopped
    }

    /// Asks MongoDB once, before any stream starts, with a short server selection: a server
    /// that is down is tried again with the run's retry policy (one line per attempt; a stop
    /// request ends the wait), an unknown host or refused credentials fail the run at once.
    /// - Parameter uri: the MongoDB connection string.
    private func checkMongoDB(uri: String) async throws -> Preflight {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try MongoClient(uri: uri, serverSelectionTimeoutMS: 3_000).ping()
                return .ready
            } catch let error as MongoError {
                if stop.isRequested { return .stopped }
                guard error.retryability == .transient, attempt <= config.retry.retries else {
                    return .failed("the run cannot start: \(error) (no stream was attempted)")
                }
                let delay = config.retry.delay(beforeRetry: attempt)
                print(String(format: "MongoDB cannot be reached (attempt %d of %d): %@; trying again in %.0f s",
                             attempt, config.retry.retries + 1, "\(error)", delay))
                let until = ContinuousClock.now.advanced(by: .milliseconds(Int64(delay * 1_000)))
                while ContinuousClock.now < until {
                    if stop.isRequested { return .stopped }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
            }
        }
    }

    /// The streams whose collection does not exist (a mistyped name would load an empty table);
    /// the run goes on with a warning, since a collection may be created later, but a reload
    /// would empty the table. None when MongoDB cannot be asked: the streams then report the
    /// connection problem themselves; a reload is not attempted then (it could empty a table).
    private func missingCollections(_ streams: [StreamConfig]) throws -> [StreamConfig] {
        guard config.dumpFolder == nil, let uri = config.mongoURI else { return [] }
        do {
            let existing = try MongoClient(uri: uri, serverSelectionTimeoutMS: 3_000).collectionNames(in: config.sourceDatabase)
            return streams.filter { !existing.contains($0.collection) }
        } catch {
            guard streams.contains(where: \.reload) else { return [] }
            throw CLIError.failed("--reload: the collections of MongoDB database \(config.sourceDatabase) cannot be listed, so a misspelt one "
                                  + "cannot be told from an empty one: \(error); nothing was loaded")
        }
    }

    private func source() throws -> any Source {
        if let folder = config.dumpFolder { return MongoDumpSource(folder: folder) }
        return MongoSource(uri: try config.requireMongo(), database: config.sourceDatabase, options: MongoReadOptions(pageSize: config.pageSize))
    }

    private func streams() throws -> [StreamConfig] {
        try config.selectedStreams(streamNames).map { stream in
            var stream = stream
            // An append stream's rows are history MongoDB may not keep: reloaded only when named.
            stream.reload = reload && (streamNames != nil || stream.strategy != .append)
            return stream
        }
    }
}

extension EnergizeConfig {
    /// Takes the pipeline's locks for `streams` (and the transform's), waiting as `lock.wait` says.
    /// - Parameters:
    ///   - pgURI: the warehouse.
    ///   - streams: the streams whose locks to take.
    ///   - transform: take the transform's lock too.
    ///   - stop: requested when the lock's connection is lost.
    ///   - lost: set when the lock's connection is lost.
    /// - Returns: the lock, or nil when another run holds it (after printing who).
    func takeLock(pgURI: String, streams: [StreamConfig], transform: Bool, stop: StopRequest, lost: LostLock) throws -> PipelineLock? {
        do {
            return try PipelineLock(connectionString: pgURI, pipeline: pipeline, streams: streams.map(\.name), transform: transform,
                                    waitSeconds: lockWaitSeconds, onWait: { print($0) }, onLost: { [stop] in lost.set(); stop.request() })
        } catch let error as EnergizeError where error.code == .locked {
            print(error.message)
            return nil
        }
    }
}

/// Set by the lock's watchdog when the lock connection is gone.
final class LostLock: @unchecked Sendable {
    // @unchecked Sendable: `lost` is only touched under `lock`.
    private let lock = NSLock()
    private var lost = false

    func set() { lock.withLock { lost = true } }
    var isSet: Bool { lock.withLock { lost } }
}
