@testable import EnergizeCLI
import EnergizeCore
import Foundation
import PGSink
import Testing
import Warehouse

/// A model whose definition and inputs are as its last build saw them is left as it is, and a
/// data test that passed over the same inputs is not run again; any change — a load, a hand
/// edit of a raw table, a changed definition, the clock a table reads — rebuilds what it reaches.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct UnchangedInputsTests {
    typealias F = WarehouseFixture

    func statuses(_ report: TransformReport) -> [String: ModelReport.Status] {
        Dictionary(uniqueKeysWithValues: report.models.map { ($0.model, $0.status) })
    }

    func seeded(_ prefix: String) async throws -> F {
        let f = try F(prefix)
        f.source.set("customers", [f.customer("C1"), f.customer("C2", region: "Sul")])
        f.source.set("products", [f.product("P1"), f.product("P2", chemistry: "NMC")])
        f.source.set("stores", [f.store("S1")])
        f.source.set("sales", [f.sale("A", customer: "C1", soldAt: F.at(2024, 2, 1), items: [("P1", 2, .decimal("10.00"), nil)]),
                               f.sale("B", customer: "C2", soldAt: F.at(2024, 3, 1), items: [("P2", 1, .decimal("20.00"), 0.1)])])
        f.source.set("transactions", [f.transaction("T1", sale: "A", amount: .decimal("20.00"), at: F.at(2024, 2, 1))])
        return f
    }

    @Test func aRunWithoutChangesLeavesEveryModelAndTestAsItWas() async throws {
        let f = try await seeded("it_unch")
        try await f.run()
        let project = try f.project()
        let uri = f.uri, meta = WarehouseMeta(schema: f.metaSchema)
        let tests = DataTestRunner(tests: project.tests, graph: project.graph, meta: meta)
        let first = try await tests.run(connect: { try PGConnection(uri) }, concurrency: 2, runId: 1, reusePassed: true)
        #expect(first.allSatisfy { $0.passed && $0.reusedFrom == nil })

        // Nothing changed in the source: the load writes nothing, every model is left as it is.
        let second = try await f.load()
        let report = try await f.transformer().run(second)
        #expect(report.succeeded)
        #expect(report.models.allSatisfy { $0.status == .unchanged }, "\(report.models.filter { $0.status != .unchanged })")
        #expect(try f.rows("SELECT DISTINCT status FROM \(f.metaSchema).model_runs WHERE run_id = $1", [String(second.runId)]) == [["unchanged"]])
        let again = try await tests.run(connect: { try PGConnection(uri) }, concurrency: 2, runId: second.runId, reusePassed: true)
        #expect(again.allSatisfy { $0.passed && $0.reusedFrom == 1 })
        #expect(try f.rows("SELECT DISTINCT status FROM \(f.metaSchema).test_results WHERE run_id = $1", [String(second.runId)]) == [["unchanged"]])
        // Asked to run every test (as `energize test` does), they run.
        let all = try await tests.run(connect: { try PGConnection(uri) }, concurrency: 2, runId: second.runId + 1)
        #expect(all.allSatisfy { $0.passed && $0.reusedFrom == nil })

        // Dimensions built by an energize that kept no ranges for scd2_join: the next run makes
        // them before any model starts, and still leaves every model as it was.
        _ = try f.rows("DROP TABLE WH.dim_customer__energize_ranges, WH.dim_product__energize_ranges")
        let ranged = try await f.transformer().run(try await f.load())
        #expect(ranged.models.allSatisfy { $0.status == .unchanged }, "\(ranged.models.filter { $0.status != .unchanged })")
        #expect(try f.rows("SELECT count(*) FROM WH.dim_customer__energize_ranges") == [["2"]])

        // A product changes in the source: what reads products is rebuilt, customers' side is not.
        f.source.set("products", [f.product("P1", price: .decimal("120.00")), f.product("P2", chemistry: "LFP")])
        let third = try await f.load()
        let changed = statuses(try await f.transformer().run(third))
        #expect(changed["stg_products"] == .succeeded && changed["dim_product"] == .succeeded)
        #expect(changed["fact_sales"] == .succeeded && changed["agg_sales_month_region_product"] == .succeeded)
        #expect(changed["stg_customers"] == .unchanged && changed["dim_customer"] == .unchanged && changed["dim_store"] == .unchanged)
        #expect(try f.rows("SELECT chemistry FROM WH.dim_product WHERE sku = 'P2' ORDER BY valid_from") == [["NMC"], ["LFP"]])
        let retested = try await tests.run(connect: { try PGConnection(uri) }, concurrency: 2, runId: third.runId, reusePassed: true)
        #expect(retested.contains { $0.model == "dim_product" && $0.reusedFrom == nil })
        #expect(retested.contains { $0.model == "dim_customer" && $0.reusedFrom != nil })

        // A hand edit of a raw table by another role (granted the table, not the meta schema),
        // then a transform without a load: the table's trigger marked it.
        let writer = "it_unch_writer"
        try f.connection.execute("DROP ROLE IF EXISTS \(writer)")
        try f.connection.execute("CREATE ROLE \(writer)")
        defer {
            _ = try? f.connection.execute("DROP OWNED BY \(writer)")
            _ = try? f.connection.execute("DROP ROLE IF EXISTS \(writer)")
        }
        try f.connection.execute("GRANT USAGE ON SCHEMA \(f.rawSchema) TO \(writer)")
        try f.connection.execute("GRANT SELECT, UPDATE ON \(f.rawSchema).stores TO \(writer)")
        try f.connection.inTransaction {
            try f.connection.execute("SET LOCAL ROLE \(writer)")
            try f.connection.execute("UPDATE \(f.rawSchema).stores SET region = 'Norte'")
        }
        let sink = PGSink(connectionString: f.uri, settings: PGSinkSettings(rawSchema: f.rawSchema, metaSchema: f.metaSchema))
        let fourth = try sink.beginRun(pipeline: f.prefix, streams: [])
        let edited = statuses(try await f.transformer().run(fourth))
        #expect(edited["stg_stores"] == .succeeded && edited["dim_store"] == .succeeded)
        #expect(edited["dim_customer"] == .unchanged)
        #expect(try f.rows("SELECT DISTINCT region FROM WH.dim_store WHERE store_sk <> -1") == [["Norte"]])
    }

    @Test func aChangedDefinitionOrAClockRebuildsAndAFailingTestRunsAgain() async throws {
        let f = try await seeded("it_unch_def")
        let run = try await f.load()
        let raw = TableName(schema: f.rawSchema, name: "sales")
        func models(_ total: String) -> [Model] {
            // Names the raw table in its SQL without declaring it: PostgreSQL's plan says what it reads.
            let counted = Model(name: "sale_count", schema: f.warehouseSchema, sql: "SELECT \(total) AS sales FROM \(raw.quoted)", materialization: .table)
            var stamped = Model(name: "stamped", schema: f.warehouseSchema, sql: "SELECT count(*) AS sales, now() AS built_at FROM \(raw.quoted)",
                                materialization: .table)
            stamped.sources = [raw]
            return [counted, stamped]
        }
        func transform(_ total: String, runId: Int64) async throws -> [String: ModelReport.Status] {
            let uri = f.uri
            let runner = TransformRunner(graph: try ModelGraph(models(total)), meta: WarehouseMeta(schema: f.metaSchema), connect: { try PGConnection(uri) })
            return statuses(try await runner.run(RunContext(runId: runId, pipeline: "it", startedAt: 0)))
        }
        #expect(try await transform("count(*)", runId: run.runId) == ["sale_count": .succeeded, "stamped": .succeeded])
        // Same definition, same rows: the plain table is kept; the one reading the clock is not.
        #expect(try await transform("count(*)", runId: run.runId + 1) == ["sale_count": .unchanged, "stamped": .succeeded])
        // A new definition rebuilds.
        #expect(try await transform("count(*) + 0", runId: run.runId + 2) == ["sale_count": .succeeded, "stamped": .succeeded])
        #expect(try await transform("count(*) + 0", runId: run.runId + 3) == ["sale_count": .unchanged, "stamped": .succeeded])
        // A row deleted from the raw table it names: rebuilt.
        try f.connection.execute("DELETE FROM \(raw.quoted) WHERE sale_id = 'A'")
        #expect(try await transform("count(*) + 0", runId: run.runId + 4) == ["sale_count": .succeeded, "stamped": .succeeded])
        #expect(try f.rows("SELECT sales FROM WH.sale_count") == [["1"]])

        // With nothing changed, a test that passed is not run again; one that failed is.
        let uri = f.uri
        let graph = try ModelGraph(models("count(*)"))
        let failing = DataTest(model: "sale_count", .query(name: "no_sales", sql: "SELECT * FROM \(f.warehouseSchema).sale_count WHERE sales > 0"))
        // (Queries naming relations without ref: what they read also comes from their plan.)
        let passing = DataTest(model: "sale_count", .query(name: "no_negative_count", sql: "SELECT * FROM \(f.warehouseSchema).sale_count WHERE sales < 0"))
        let tests = DataTestRunner(tests: [failing, passing], graph: graph, meta: WarehouseMeta(schema: f.metaSchema))
        var reused: [[Int64?]] = []
        for runId in [run.runId + 5, run.runId + 6] {
            let results = try await tests.run(connect: { try PGConnection(uri) }, concurrency: 1, runId: runId, reusePassed: true)
            #expect(results.map(\.passed) == [false, true])
            reused.append(results.map(\.reusedFrom))
        }
        #expect(reused == [[nil, nil], [nil, run.runId + 5]])
    }
}
