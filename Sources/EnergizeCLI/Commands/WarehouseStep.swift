import EnergizeCore
import Foundation
import PGSink
import Logging
import Warehouse

/// The transform and data-test steps of a project's warehouse, shared by `run`, `transform`
/// and `test`.
struct WarehouseStep {
    let pgURI: String
    let config: EnergizeConfig
    let project: ProjectModels
    let meta: WarehouseMeta
    var graph: ModelGraph { project.graph }

    /// Reads which columns the raw tables have and compiles the project's models against them.
    /// - Throws: when a model reads a raw table that does not exist yet (run the extract-load first),
    ///   a model file is wrong or PostgreSQL does not know the project's time zone.
    init(pgURI: String, config: EnergizeConfig) throws {
        self.pgURI = pgURI
        self.config = config
        meta = WarehouseMeta(schema: config.metaSchema)
        let connection = try PGConnection(pgURI, applicationName: "energize \(config.pipeline) transform")
        defer { connection.close() }
        try config.checkTimeZone(on: connection)
        project = try ProjectModels(config: config, rawColumns: try ProjectModels.rawColumns(connection, schema: config.rawSchema))
    }

    /// Runs the selected models and records the rows of models that list untypable documents in
    /// `_rejects`: each once its view is built, in the models' pool (`concurrency` at a time).
    func transform(_ run: RunContext, select: [String], fullRefresh: Bool, stop: StopRequest, reporter: Reporter) async throws -> TransformReport {
        let uri = pgURI
        let name = "energize \(config.pipeline) transform"
        let runner = TransformRunner(graph: graph, meta: meta, concurrency: config.concurrency,
                                     connect: { try PGConnection(uri, applicationName: name) })
        let recording = RejectRecording(rawSchema: config.rawSchema, meta: meta)
        let graph = self.graph
        // A listing's rejects are recorded once its view is built, in the models' pool; an unchanged
        // listing whose recording is behind its build (a stop came between them) is recorded too.
        let followUp: @Sendable (ModelReport) -> (@Sendable (any SQLExecutor) throws -> Void)? = { model in
            guard let listing = graph.model(model.model), listing.rejectsOf != nil else { return nil }
            switch model.status {
            case .succeeded:
                return { try recording.record(listing, on: $0, runId: run.runId, fullRefresh: fullRefresh) }
            case .unchanged:
                return { if try recording.isBehind(listing, on: $0) { try recording.record(listing, on: $0, runId: run.runId) } }
            default:
                return nil
            }
        }
        let report = try await runner.run(run, selection: ModelSelection(select), fullRefresh: fullRefresh, stop: stop, followUp: followUp) { model in
            func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
            let rows = model.rows.map(String.init) ?? "-"
            var metadata: Logger.Metadata = ["model": "\(model.model)", "materialization": "\(model.materialization)",
                                             "status": "\(model.status.rawValue)", "rows": "\(rows)",
                                             "duration_seconds": "\(String(format: "%.3f", model.durationSeconds))"]
            if let error = model.error { metadata["error"] = "\(error)" }
            reporter.detail("  " + pad(model.model, 32) + pad(model.materialization, 12) + pad(model.status.rawValue, 10)
                            + String(repeating: " ", count: max(0, 9 - rows.count)) + rows + " rows  " + String(format: "%6.2f s", model.durationSeconds)
                            + (model.error.map { "\n    \($0)" } ?? ""), metadata, message: "model finished")
        }
        return report
    }

    /// Runs the data tests and prints the failing ones with a few offending keys.
    /// - Parameter reusePassed: a test whose query and inputs are as they were at its last,
    ///   passing run is not run again (`energize run` and `transform`; `energize test` runs all).
    /// - Parameter skipping: models not built in this run: their tests, and every test reading them, do not run.
    func test(runId: Int64, models: Set<String>? = nil, skipping: Set<String> = [], reusePassed: Bool = false,
              reporter: Reporter) async throws -> [DataTestResult] {
        let uri = pgURI, name = "energize \(config.pipeline) transform"
        let results = try await DataTestRunner(tests: project.tests, graph: graph, meta: meta)
            .run(connect: { try PGConnection(uri, applicationName: name) }, concurrency: config.concurrency, runId: runId, models: models,
                 skipping: skipping, reusePassed: reusePassed)
        let failed = results.filter { !$0.passed }
        let reused = results.filter { $0.reusedFrom != nil }.count
        // One of the summary's last lines, shown with --quiet too (as the run's and the transform's).
        if !results.isEmpty || !reporter.quiet {
            let note = reused == 0 ? "" : " (\(reused) not run again: nothing they read changed since they passed)"
            reporter.summary("data tests: \(results.count - failed.count) of \(results.count) passed\(note)",
                             ["tests.passed": "\(results.count - failed.count)", "tests.failed": "\(failed.count)", "tests.reused": "\(reused)"])
        }
        for result in failed {
            if let error = result.error {
                reporter.failure("  ERROR \(result.name) on \(result.model): the test could not run: \(error)",
                                 ["test": "\(result.name)", "model": "\(result.model)", "error": "\(error)"])
            } else {
                reporter.failure("  FAILED \(result.name) on \(result.model): \(result.failures) offending; e.g. \(result.sample.joined(separator: " | "))",
                                 ["test": "\(result.name)", "model": "\(result.model)", "failures": "\(result.failures)",
                                  "sample": "\(result.sample.joined(separator: " | "))"])
            }
        }
        return results
    }

    /// What data test results make of a run: nil when all passed; else its exit status (1 when a
    /// test could not run — the project is wrong, not the data; 4 when tests found offending rows)
    /// and the error the run history records, naming each test.
    static func verdict(_ results: [DataTestResult]) -> (status: Int32, error: String)? {
        let failed = results.filter { !$0.passed }
        guard !failed.isEmpty else { return nil }
        let lines = failed.map { result in
            result.error.map { "data test \(result.name) could not run: \($0)" } ?? "data test \(result.name) failed (\(result.failures))"
        }
        return (failed.contains { $0.error != nil } ? 1 : 4, lines.joined(separator: "\n"))
    }
}
