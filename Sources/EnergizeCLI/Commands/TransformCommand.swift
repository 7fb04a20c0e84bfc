import ArgumentParser
import EnergizeCore
import Foundation
import PGSink
import Warehouse

/// `energize transform`: builds the warehouse models inside PostgreSQL, then runs the data tests.
struct TransformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform",
        abstract: "Build staging views, dimensions, facts and marts inside PostgreSQL, then run the data tests.")

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Rebuild incremental models from scratch.")
    var fullRefresh = false


    @Flag(help: "Skip the data tests.")
    var skipTests = false

    @Flag(help: "Print only failures and the last line.")
    var quiet = false

    func run() async throws {
        let config = try options.load()
        let uri = try config.requirePG()
        let lock = try PipelineLock(connectionString: uri, pipeline: config.pipeline + ":transform", waitSeconds: config.lockWaitSeconds) { print($0) }
        defer { lock.release() }
        let (step, sink, context) = try config.warehouseRun()
        let status = try await WarehouseRun(step: step, sink: sink, reporter: Reporter(quiet: quiet))
            .transformAndTest(context, select: selection.select, fullRefresh: fullRefresh, skipTests: skipTests)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `energize test`: runs the data tests on the warehouse as it is.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the data tests (unique, not null, accepted values, relationships, SCD2 history).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let (step, sink, context) = try config.warehouseRun()
        let results = try step.test(runId: context.runId, reporter: Reporter())
        if results.contains(where: { !$0.passed }) {
            try sink.markRunFailed(runId: context.runId, error: "data tests failed")
            throw ExitCode(4)
        }
    }
}

/// Transform then test, recording failures on the run; returns the exit status.
struct WarehouseRun {
    let step: WarehouseStep
    let sink: PGSink
    let reporter: Reporter

    /// 0 when everything passed, 1 when a model failed, 4 when a data test failed.
    func transformAndTest(_ context: RunContext, select: [String], fullRefresh: Bool, skipTests: Bool) async throws -> Int32 {
        if !reporter.json { reporter.detail("transform (run \(context.runId)):") }
        let report = try await step.transform(context, select: select, fullRefresh: fullRefresh, reporter: reporter)
        let failedModels = report.models.filter { $0.status != .succeeded }
        reporter.summary(String(format: "transform: %d of %d models built in %.1f s", report.models.count - failedModels.count,
                                report.models.count, report.durationSeconds),
                         ["run_id": "\(context.runId)", "models.failed": "\(failedModels.count)"])
        if !failedModels.isEmpty {
            let errors = failedModels.map { "\($0.model): \($0.error ?? $0.status.rawValue)" }
            errors.forEach { reporter.failure("  FAILED \($0)") }
            try sink.markRunFailed(runId: context.runId, error: errors.joined(separator: "\n"))
            return 1
        }
        try sink.extendRun(runId: context.runId)
        if skipTests { return 0 }
        let selected = select.isEmpty ? nil : Set(report.models.map(\.model))
        let results = try step.test(runId: context.runId, models: selected, reporter: reporter)
        let failed = results.filter { !$0.passed }
        if !failed.isEmpty {
            try sink.markRunFailed(runId: context.runId, error: failed.map { "data test \($0.name) failed (\($0.failures))" }.joined(separator: "\n"))
            return 4
        }
        try sink.extendRun(runId: context.runId)
        return 0
    }
}

extension EnergizeConfig {
    /// The sink of this configuration's warehouse.
    func sink(pgURI: String) -> PGSink {
        PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: rawSchema, metaSchema: metaSchema))
    }

    /// A run of the warehouse steps alone (no extract-load), recorded in the run history.
    func warehouseRun() throws -> (WarehouseStep, PGSink, RunContext) {
        let uri = try requirePG()
        let step = try WarehouseStep(pgURI: uri, config: self)
        let sink = sink(pgURI: uri)
        let context = try sink.beginRun(pipeline: pipeline, streams: [])
        try sink.finishRun(RunReport(run: context, streams: [], durationSeconds: 0))
        return (step, sink, context)
    }
}
