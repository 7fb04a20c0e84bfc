import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing
import Warehouse

/// After a seeded run and several days of changes loaded incrementally, every incremental
/// model (and what is built from it) equals its `--full-refresh` rebuild, row for row.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct IncrementalEqualsFullTests {
    static let database = "it_incremental"

    @Test(arguments: [UInt64(3), 7, 11])
    func incrementalModelsEqualAFullRebuild(seed: UInt64) async throws {
        _ = try LiveServers.freshCollections(Self.database, try EnergizeTechProject.streams().map(\.collection))
        let seeder = SourceSeeder(uri: try LiveServers.mongoURI(), database: Self.database)
        try seeder.seed(SyntheticData(size: .init(customers: 80, sales: 800), seed: seed))
        let f = try WarehouseFixture("it_whinc")
        f.liveSource = MongoSource(uri: try LiveServers.mongoURI(), database: Self.database)
        try await f.run()
        for day in 1...3 {
            try seeder.touch(DayOfChanges(percent: 12, seed: seed &+ UInt64(day)))
            try await f.run()
        }
        // A physical store moves to another region (type 1): every month and sku of its sales moves
        // in the aggregate, in the incremental run as in a rebuild.
        let stores = try MongoClient(uri: try LiveServers.mongoURI()).collection("stores", in: Self.database)
        var store = try #require(try stores.findOne(["channel": .string("physical")]))
        store["region"] = .string("Moved")
        store["updated_at"] = .date(Int64(Date().timeIntervalSince1970 * 1000))
        try stores.replaceOne(["_id": try #require(store["_id"])], with: store)
        try await f.run()
        #expect(try f.rows("SELECT count(*) > 0 FROM WH.agg_sales_month_region_product WHERE region = 'Moved'") == [["t"]])
        // Every reader of the fact's change log has consumed it: only the reset and pruned markers are left.
        #expect(try f.rows("SELECT change FROM WH.fact_sales__energize_changes ORDER BY change") == [["pruned"], ["reset"]])
        let models = ["fact_sales", "fact_transactions", "agg_sales_month_region_product", "agg_sales_customer_version",
                      "mart_customer_behavior", "mart_market_trends"]
        for model in models {
            try f.connection.execute("CREATE TABLE \(f.warehouseSchema).snapshot_\(model) AS SELECT * FROM \(f.warehouseSchema).\(model)")
        }
        let moved = try f.rows("SELECT count(*) FROM WH.fact_sales f JOIN WH.dim_customer c USING (customer_sk) WHERE NOT c.is_current")
        #expect(moved != [["0"]], "the touches should leave facts on closed customer versions")
        let sink = PGSink(connectionString: f.uri, settings: PGSinkSettings(rawSchema: f.rawSchema, metaSchema: f.metaSchema))
        let refresh = try sink.beginRun(pipeline: "it_whinc", streams: [])
        try await f.transform(refresh, fullRefresh: true)
        for model in models {
            let table = "\(f.warehouseSchema).\(model)", snapshot = "\(f.warehouseSchema).snapshot_\(model)"
            let difference = try f.rows("""
                SELECT (SELECT count(*) FROM (SELECT * FROM \(table) EXCEPT ALL SELECT * FROM \(snapshot)) a),
                       (SELECT count(*) FROM (SELECT * FROM \(snapshot) EXCEPT ALL SELECT * FROM \(table)) b),
                       (SELECT count(*) FROM \(table))
                """)
            #expect(difference.first?.prefix(2) == ["0", "0"], "seed \(seed), \(model): incremental and full rebuild differ: \(difference)")
            #expect(difference.first?[2] != "0", "\(model) is empty")
        }
    }

    /// A fact rebuilt whole on its own resets its change log; the aggregates built from it then
    /// rebuild whole at their next run instead of applying an incomplete log.
    @Test func aggregatesRebuildWholeAfterTheirFactWasRebuiltAlone() async throws {
        _ = try LiveServers.freshCollections(Self.database, try EnergizeTechProject.streams().map(\.collection))
        let seeder = SourceSeeder(uri: try LiveServers.mongoURI(), database: Self.database)
        try seeder.seed(SyntheticData(size: .init(customers: 60, sales: 500), seed: 5))
        let f = try WarehouseFixture("it_whreset")
        f.liveSource = MongoSource(uri: try LiveServers.mongoURI(), database: Self.database)
        try await f.run()
        let before = try f.rows("SELECT count(*), sum(orders) FROM WH.agg_sales_month_region_product")
        let sink = PGSink(connectionString: f.uri, settings: PGSinkSettings(rawSchema: f.rawSchema, metaSchema: f.metaSchema))
        // The fact alone, rebuilt: the aggregates do not run, so they are behind its reset.
        try f.connection.execute("DELETE FROM \(f.rawSchema).sales WHERE sale_id IN (SELECT sale_id FROM \(f.rawSchema).sales ORDER BY sale_id LIMIT 100)")
        let alone = try sink.beginRun(pipeline: "it_whreset", streams: [])
        let fact = try await f.transformer().run(alone, selection: ModelSelection(["fact_sales"]), fullRefresh: true)
        #expect(fact.succeeded)
        #expect(try f.rows("SELECT count(*), sum(orders) FROM WH.agg_sales_month_region_product") == before)
        let next = try sink.beginRun(pipeline: "it_whreset", streams: [])
        try await f.transform(next)
        let rebuilt = try f.rows("""
            SELECT count(*) FROM (SELECT * FROM WH.agg_sales_month_region_product EXCEPT ALL
              SELECT make_date(f.date_key / 10000, f.date_key / 100 % 100, 1), CASE WHEN f.channel = 'physical' THEN st.region ELSE c.region END,
                f.sku, p.chemistry, count(DISTINCT f.sale_id), sum(f.quantity), sum(f.gross_amount), sum(f.net_amount)
              FROM WH.fact_sales f JOIN WH.dim_customer c USING (customer_sk) JOIN WH.dim_product p USING (product_sk) JOIN WH.dim_store st USING (store_sk)
              WHERE f.status = 'completed' GROUP BY 1, 2, 3, 4) d
            """)
        #expect(rebuilt == [["0"]])
        // Applying the (reset, empty) log would have left the deleted sales in: it rebuilt whole.
        #expect(try f.rows("SELECT sum(orders) < $1::numeric FROM WH.agg_sales_month_region_product", [before.first?[1] ?? nil]) == [["t"]])
    }
}
