import Foundation
import MongoSource
import PGSink
import Testing

/// The bikeshare example — a project of files only, nothing of EnergizeTech — run end to end
/// with the `energize` binary as a user would: seed, run, verify, a day later, again, and the
/// incremental fact against a full refresh.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SecondProjectTests {
    static let folder = EnergizeTechProject.repository.appendingPathComponent("Examples/bikeshare")

    func energize(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try EnergizeBinary.run(arguments, in: Self.folder)
    }

    @Test func theBikeshareProjectRunsEndToEndFromItsFiles() throws {
        let connection = try LiveServers.freshSchemas(["bikeshare_raw", "bikeshare_staging", "bikeshare_warehouse", "bikeshare_meta"])
        defer { connection.close() }
        _ = try LiveServers.freshCollections("bikeshare", ["stations", "rides"])
        func rows(_ sql: String) throws -> [[String?]] { try connection.execute(sql).rows }

        #expect(try energize(["seed"]).output.contains("seeded bikeshare: rides 40, stations 10"))
        let first = try energize(["run"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("6 of 6 models built"), "\(first.output)")
        #expect(first.output.contains("data tests: 31 of 31 passed"), "\(first.output)")
        #expect(try energize(["verify"]).status == 0)
        #expect(try rows("SELECT count(*) FROM bikeshare_warehouse.fact_rides") == [["38"]])
        #expect(try rows("SELECT reason FROM bikeshare_raw._rejects WHERE collection = 'rides' ORDER BY reason") == [
            [#"field `charges.0.amount` must be a number but is string "R$ 3""#], ["field `rider.plan` is required but is missing"]])
        // Nested documents became columns of the staging views, the array one row per element.
        #expect(try rows("SELECT count(*) FROM bikeshare_staging.stg_ride_charges") == [["53"]])

        // A day later: a station renamed and moved district (a new SCD2 version), one removed,
        // rides updated late, new rides and a deleted one.
        #expect(try energize(["seed", "--from", "seeds-day2"]).status == 0)
        let second = try energize(["run"])
        #expect(second.status == 0, "\(second.output)")
        #expect(try energize(["verify"]).status == 0)
        #expect(try rows("SELECT district, is_current FROM bikeshare_warehouse.dim_station WHERE station_id = 'S07' ORDER BY valid_from")
                == [["Jardim Paulista", "f"], ["Pinheiros", "t"]])
        #expect(try rows("SELECT is_current FROM bikeshare_warehouse.dim_station WHERE station_id = 'S08'") == [["f"]])
        #expect(try rows("SELECT count(*) FROM bikeshare_warehouse.fact_rides") == [["40"]])

        // The incremental fact and the mart equal a full rebuild.
        for table in ["fact_rides", "mart_district_month"] {
            try connection.execute("CREATE TABLE bikeshare_warehouse.before_\(table) AS SELECT * FROM bikeshare_warehouse.\(table)")
        }
        #expect(try energize(["transform", "--full-refresh"]).status == 0)
        for table in ["fact_rides", "mart_district_month"] {
            let difference = try rows("""
                SELECT (SELECT count(*) FROM (SELECT * FROM bikeshare_warehouse.\(table) EXCEPT ALL SELECT * FROM bikeshare_warehouse.before_\(table)) a),
                       (SELECT count(*) FROM (SELECT * FROM bikeshare_warehouse.before_\(table) EXCEPT ALL SELECT * FROM bikeshare_warehouse.\(table)) b)
                """)
            #expect(difference == [["0", "0"]], "\(table): incremental and full rebuild differ")
        }
    }
}
