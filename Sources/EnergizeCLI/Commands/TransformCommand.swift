import ArgumentParser
import EnergizeCore
import Foundation
import PGSink
import Warehouse

/// `energize transform`: builds the warehouse models inside PostgreSQL, then runs the data tests.
struct TransformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform",
        abstract: "Build staging views, dimensions, facts and marts inside PostgreSQL, then run the data tests.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Rebuild incremental models from scratch.")
    var fullRefresh = false

    @Flag(help: "Skip the data tests.")
    var skipTests = false

    @Flag(help: "Print only failures and the last line.")
    var quiet = false

    @OptionGroup var origin: OriginOption

    func run() async throws {
        var config = try options.load()
        origin.apply(to: &config)
        let stop = StopRequest()
        let signals = SignalWatcher(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let status = try await config.withWarehouseRun(stop: stop, select: selection.select) { step, sink, context in
            try await WarehouseRun(step: step, sink: sink, reporter: Reporter(quiet: quiet), stop: stop)
                .transformAndTest(context, select: selection.select, fullRefresh: fullRefresh, skipTests: skipTests)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// `energize test`: runs the data tests on the warehouse as it is.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the data tests (unique, not null, accepted values, relationships, SCD2 history).",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @OptionGroup var origin: OriginOption

    func run() async throws {
        var config = try options.load()
        origin.apply(to: &config)
        let status = try await config.withWarehouseRun(stop: StopRequest()) { step, sink, context in
            let results = try await step.test(runId: context.runId, reporter: Reporter())
            if let verdict = WarehouseStep.verdict(results) {
                try sink.markRunFailed(runId: context.runId, error: verdict.error)
                return verdict.status
            }
            try sink.completeRun(runId: context.runId)
            return 0
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// Transform then test, recording failures on the run; returns the exit status.
struct WarehouseRun {
    let step: WarehouseStep
    let sink: PGSink
    let reporter: Reporter
    /// Asks the transform to stop between models.
    var stop = StopRequest()

    /// 0 when everything passed, 1 when a model failed or a data test could not run, 4 when a data test failed.
    func transformAndTest(_ context: RunContext, select: [String], fullRefresh: Bool, skipTests: Bool) async throws -> Int32 {
        if !reporter.json { reporter.detail("transform (run \(context.runId)):") }
        let report = try await step.transform(context, select: select, fullRefresh: fullRefresh, stop: stop, reporter: reporter)
        let built = report.models.filter { $0.status == .succeeded }.count
        let unchanged = report.models.filter { $0.status == .unchanged }.count
        let note = unchanged == 0 ? "" : ", \(unchanged) unchanged (nothing they read changed)"
        reporter.summary(String(format: "transform: %d of %d models built%@ in %.1f s", built, report.models.count, note, report.durationSeconds),
                         ["run_id": "\(context.runId)", "models.failed": "\(report.models.count - built - unchanged)",
                          "models.unchanged": "\(unchanged)"])
        let failedModels = report.models.filter { $0.status == .failed || $0.status == .skipped }
        if !failedModels.isEmpty {
            let errors = failedModels.map { "\($0.model): \($0.error ?? $0.status.rawValue)" }
            for (model, error) in zip(failedModels, errors) { reporter.failure("  \(model.status == .skipped ? "SKIPPED" : "FAILED") \(error)") }
            var runError = errors.joined(separator: "\n")
            if !skipTests && !stop.isRequested {
                // The tests of the models that are built still run (as dbt build does); those of the
                // models that are not are said not to have run.
                let current = Set(report.models.filter(\.status.isCurrent).map(\.model))
                let blocked = Set(failedModels.map(\.model))
                let results = try await step.test(runId: context.runId, models: current, skipping: blocked, reusePassed: !fullRefresh,
                                                  reporter: reporter)
                let notRun = step.project.tests.filter { $0.models.contains(where: blocked.contains) }.count
                if notRun > 0 {
                    let line = "\(notRun) data test\(notRun == 1 ? "" : "s") not run: their models were not built"
                    reporter.failure("  " + line)
                    runError += "\n" + line
                }
                if let verdict = WarehouseStep.verdict(results) { runError += "\n" + verdict.error }
            }
            try sink.markRunFailed(runId: context.runId, error: runError)
            return 1
        }
        if stop.isRequested {
            let reason = "stopped on request during the transform: \(built + unchanged) of \(report.models.count) models built, the others (rolled back or not started) build next time; data tests not run"
            reporter.failure(reason)
            try sink.markRunStopped(runId: context.runId, reason: reason)
            return 6
        }
        if skipTests {
            try sink.completeRun(runId: context.runId)
            return 0
        }
        let selected = select.isEmpty ? nil : Set(report.models.map(\.model))
        let results = try await step.test(runId: context.runId, models: selected, reusePassed: !fullRefresh, reporter: reporter)
        if let verdict = WarehouseStep.verdict(results) {
            try sink.markRunFailed(runId: context.runId, error: verdict.error)
            return verdict.status
        }
        try sink.completeRun(runId: context.runId)
        return 0
    }
}

extension EnergizeConfig {
    /// The sink of this configuration's warehouse.
    func sink(pgURI: String) -> PGSink {
        var settings = PGSinkSettings(rawSchema: rawSchema, metaSchema: metaSchema)
        settings.origin = origin
        return PGSink(connectionString: pgURI, settings: settings)
    }

    /// Runs `body` as a run of the warehouse steps alone (no extract-load), recorded in the run
    /// history, under the pipeline's transform lock; the run stays `running` until `body` ends it.
    /// - Returns: `body`'s exit status, or 5 when another run holds the transform lock.
    /// - Parameters:
    ///   - gate: held exclusively while the run's id is taken (a follow command's transforms: no
    ///     micro-batch is then between its stamp and its commit).
    ///   - select: the `--select` terms; one that names no model throws before a run is recorded.
    func withWarehouseRun(stop: StopRequest, gate: CommitGate? = nil, select: [String] = [],
                          _ body: (WarehouseStep, PGSink, RunContext) async throws -> Int32) async throws -> Int32 {
        let uri = try requirePG()
        let lock: PipelineLock
        do {
            lock = try PipelineLock(connectionString: uri, pipeline: pipeline, streams: [], transform: true, waitSeconds: lockWaitSeconds,
                                    onWait: { print($0) }, onLost: { stop.request() })
        } catch let error as EnergizeError where error.code == .locked {
            print(error.message)
            return 5
        }
        defer { lock.release() }
        let step = try WarehouseStep(pgURI: uri, config: self)
        // A selection naming no model is a usage mistake, not a run: said before one is recorded.
        _ = try ModelSelection(select).resolve(in: step.graph)
        var sink = sink(pgURI: uri)
        sink.settings.lockHolder = lock.backendPID
        sink.settings.keepsRunOpen = true
        let pipeline = pipeline, runSink = sink
        let context = try await onOwnThread { try gate.map { try $0.exclusive { try runSink.beginRun(pipeline: pipeline, streams: []) } }
                                                ?? runSink.beginRun(pipeline: pipeline, streams: []) }
        try sink.finishRun(RunReport(run: context, streams: [], durationSeconds: 0))
        do {
            return try await body(step, sink, context)
        } catch {
            try? sink.markRunFailed(runId: context.runId, error: "\(error)")
            throw error
        }
    }
}
