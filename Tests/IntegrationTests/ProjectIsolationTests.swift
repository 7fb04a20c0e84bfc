@testable import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing

/// Two projects in one database never read or write each other's objects: two EnergizeTech
/// pipelines with the same models and table names, run interleaved, each end up with exactly
/// the warehouse the same source history gives when its pipeline runs alone.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ProjectIsolationTests {
    /// The EnergizeTech project as a pipeline of its own, with the schemas its name derives.
    func config(_ pipeline: String) throws -> EnergizeConfig {
        var config = try EnergizeTechProject.config()
        config.pipeline = pipeline
        config.database = pipeline
        config.schemaOverrides = [:]
        config.pgURI = try LiveServers.pgURI()
        config.mongoURI = try LiveServers.mongoURI()
        return config
    }

    func reset(_ pipeline: String, seed: UInt64) throws -> SourceSeeder {
        _ = try LiveServers.freshSchemas(["raw", "staging", "warehouse", "meta"].map { pipeline + "_" + $0 }).close()
        _ = try LiveServers.freshCollections(pipeline, ["customers", "products", "stores", "sales", "transactions"])
        let seeder = SourceSeeder(uri: try LiveServers.mongoURI(), database: pipeline)
        try seeder.seed(SyntheticData(size: .init(customers: 60, sales: 400), seed: seed))
        return seeder
    }

    func run(_ pipeline: String) async throws {
        #expect(try await PipelineExecution(config: try config(pipeline), quiet: true).run() == .succeeded, "\(pipeline)")
    }

    /// The rows of a warehouse table as JSON, with SCD2 validity times that are a run's start
    /// (a deleted key closes then) written as that run's number: each history
    /// runs at times of its own.
    func rows(of table: String, _ pipeline: String) throws -> String {
        let columns = try PGConnection(try LiveServers.pgURI())
        defer { columns.close() }
        let scd2 = try columns.execute("""
            SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'valid_to'
            """, ["\(pipeline)_warehouse", table]).scalar == "1"
        guard scd2 else { return "SELECT to_jsonb(t) FROM \(pipeline)_warehouse.\(table) t" }
        func run(_ column: String) -> String {
            "coalesce((SELECT 'start of run ' || r.run_id FROM \(pipeline)_meta.runs r WHERE date_trunc('milliseconds', r.started_at) = t.\(column)), t.\(column)::text)"
        }
        return "SELECT to_jsonb(t) || jsonb_build_object('valid_from', \(run("valid_from")), 'valid_to', \(run("valid_to"))) FROM \(pipeline)_warehouse.\(table) t"
    }

    @Test func twoProjectsRunInterleavedEqualEachRunAlone() async throws {
        // Interleaved: a and b share the database, their runs alternate.
        let a = try reset("it_iso_a", seed: 3), b = try reset("it_iso_b", seed: 5)
        try await run("it_iso_a")
        try await run("it_iso_b")
        try a.touch(DayOfChanges(percent: 10, seed: 31))
        try await run("it_iso_a")
        try b.touch(DayOfChanges(percent: 10, seed: 51))
        try await run("it_iso_b")
        // Alone: the same source histories, each pipeline by itself.
        let soloA = try reset("it_iso_a_solo", seed: 3)
        try await run("it_iso_a_solo")
        try soloA.touch(DayOfChanges(percent: 10, seed: 31))
        try await run("it_iso_a_solo")
        let soloB = try reset("it_iso_b_solo", seed: 5)
        try await run("it_iso_b_solo")
        try soloB.touch(DayOfChanges(percent: 10, seed: 51))
        try await run("it_iso_b_solo")

        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let tables = try connection.execute("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = 'it_iso_a_warehouse' AND table_type = 'BASE TABLE'
              AND table_name NOT LIKE '%\\_\\_energize\\_%' ORDER BY 1
            """).rows.compactMap { $0[0] }
        #expect(tables.count == 10, "\(tables)")
        for (project, solo) in [("it_iso_a", "it_iso_a_solo"), ("it_iso_b", "it_iso_b_solo")] {
            for table in tables {
                let mine = try rows(of: table, project), alone = try rows(of: table, solo)
                let difference = try connection.execute("""
                    SELECT (SELECT count(*) FROM (\(mine) EXCEPT ALL \(alone)) x), (SELECT count(*) FROM (\(alone) EXCEPT ALL \(mine)) y),
                           (SELECT count(*) FROM \(project)_warehouse.\(table))
                    """).rows.first
                #expect(difference?.prefix(2) == ["0", "0"], "\(project)_warehouse.\(table) differs from running alone: \(String(describing: difference))")
                #expect(difference?[2] != "0", "\(project)_warehouse.\(table) is empty")
            }
            // Its staging views read its own raw tables only.
            // (Definitions of this schema's views only: other suites drop their own views meanwhile.)
            let other = project == "it_iso_a" ? "it_iso_b" : "it_iso_a"
            let foreign = try connection.execute("""
                SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'v'
                """, ["\(project)_staging"]).rows.filter { row in
                let definition = row[1] ?? ""
                return !definition.contains("\(project)_raw.") || definition.contains(other)
            }.map { $0[0] ?? "" }
            #expect(foreign.isEmpty, "\(project): views reading other schemas: \(foreign)")
        }
        // The two interleaved warehouses hold different data (different seeds): the test compares something.
        #expect(try connection.execute("SELECT count(*) FROM it_iso_a_warehouse.dim_customer").scalar
                != connection.execute("SELECT count(*) FROM it_iso_b_warehouse.dim_customer").scalar
                || connection.execute("SELECT count(*) FROM it_iso_a_warehouse.fact_sales").scalar
                != connection.execute("SELECT count(*) FROM it_iso_b_warehouse.fact_sales").scalar)
    }
}
