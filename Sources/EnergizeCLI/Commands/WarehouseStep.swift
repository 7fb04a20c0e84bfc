import EnergizeCore
import Foundation
import PGSink
import Logging
import Warehouse

/// The transform and data-test steps of the EnergizeTech warehouse, shared by `run`,
/// `transform` and `test`.
struct WarehouseStep {
    let pgURI: String
    let rawSchema: String
    let models: EnergizeTechWarehouse
    let graph: ModelGraph

    /// Reads which columns the raw tables have and assembles the model set.
    /// - Throws: when a raw table is missing (run the extract-load first).
    let meta: WarehouseMeta

    init(pgURI: String, rawSchema: String, metaSchema: String = "energize_meta", modelsDirectory: String? = nil) throws {
        self.pgURI = pgURI
        self.rawSchema = rawSchema
        meta = WarehouseMeta(schema: metaSchema)
        let connection = try PGConnection(pgURI)
        defer { connection.close() }
        var columns: [String: Set<String>] = [:]
        for table in ["customers", "products", "stores", "sales", "transactions"] {
            let names = try connection.execute("""
                SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
                """, [rawSchema, table]).rows.compactMap { $0[0] }
            guard !names.isEmpty else {
                throw CLIError.failed("raw table \(rawSchema).\(table) does not exist: run `energize run` (extract-load) first")
            }
            columns[table] = Set(names)
        }
        models = EnergizeTechWarehouse(rawSchema: rawSchema, rawColumns: columns)
        let files = try modelsDirectory.map(SQLModelFile.folder) ?? []
        graph = try ModelGraph(try models.models(adding: files))
    }

    /// Runs the selected models, then moves sale lines that cannot be typed into `_rejects`.
    func transform(_ run: RunContext, select: [String], fullRefresh: Bool, reporter: Reporter) async throws -> TransformReport {
        let uri = pgURI
        let runner = TransformRunner(graph: graph, meta: meta, connect: { try PGConnection(uri) })
        let report = try await runner.run(run, selection: ModelSelection(select), fullRefresh: fullRefresh) { model in
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
        if report.models.contains(where: { $0.model == "stg_sale_item_rejects" && $0.status == .succeeded }) {
            let connection = try PGConnection(pgURI)
            defer { connection.close() }
            try models.recordItemRejects(connection, runId: run.runId)
        }
        return report
    }

    /// Runs the data tests and prints the failing ones with a few offending keys.
    func test(runId: Int64, models: Set<String>? = nil, reporter: Reporter) throws -> [DataTestResult] {
        let connection = try PGConnection(pgURI)
        defer { connection.close() }
        let results = try DataTestRunner(tests: self.models.tests, graph: graph, meta: meta).run(connection, runId: runId, models: models)
        let failed = results.filter { !$0.passed }
        if !reporter.quiet || !failed.isEmpty || reporter.json {
            reporter.summary("data tests: \(results.count - failed.count) of \(results.count) passed",
                             ["tests.passed": "\(results.count - failed.count)", "tests.failed": "\(failed.count)"])
        }
        for result in failed {
            reporter.failure("  FAILED \(result.name) on \(result.model): \(result.failures) offending; e.g. \(result.sample.joined(separator: " | "))",
                             ["test": "\(result.name)", "model": "\(result.model)", "failures": "\(result.failures)",
                              "sample": "\(result.sample.joined(separator: " | "))"])
        }
        return results
    }
}
