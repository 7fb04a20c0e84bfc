import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing

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
        let models = ["fact_sales", "fact_transactions", "agg_sales_month_region_product", "mart_customer_behavior", "mart_market_trends"]
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
}
