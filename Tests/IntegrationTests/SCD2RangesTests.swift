import EnergizeCore
import Foundation
import PGSink
import Testing
import Warehouse

/// The ranges `scd2_join` reads (`<dimension>__energize_ranges`): a view that reads them does not
/// stop its dimension from being built again, and a dimension whose name is near PostgreSQL's 63
/// bytes gets a ranges table whose name fits them, never named as the dimension.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SCD2RangesTests {
    static let prefix = "it_ranges"
    let connection: PGConnection
    let uri: String
    var raw: String { SQLIdentifier.qualified(Self.prefix + "_raw", "devices") }
    static let longName = "dim_devices_with_a_name_long_enough_to_reach_the_limit"

    init() throws {
        uri = try LiveServers.pgURI()
        connection = try LiveServers.freshSchemas([Self.prefix + "_raw", Self.prefix + "_meta", Self.prefix + "_wh"])
        try connection.execute("CREATE SCHEMA \(SQLIdentifier.quote(Self.prefix + "_raw"))")
        try connection.execute("CREATE TABLE \(raw) (device_id text, site text, created_at timestamptz, updated_at timestamptz)")
    }

    func models() throws -> [Model] {
        let dimension = { (name: String) in
            ModelFile(name: name, text: """
                -- energize: materialized=scd2 unique_key=device_id surrogate_key=device_sk tracked=site
                SELECT device_id, site, created_at, updated_at FROM {{ raw('devices') }}
                """)
        }
        let files = [
            dimension("dim_device"), dimension(Self.longName),
            ModelFile(name: "device_now", text: """
                SELECT d.device_id, coalesce(r.device_sk, -1) AS device_sk FROM (SELECT DISTINCT device_id, '2030-01-01'::timestamptz AS at FROM {{ raw('devices') }}) d
                {{ scd2_join('dim_device', 'd.device_id', 'd.at', 'r') }}
                """),
            ModelFile(name: "device_long", text: """
                -- energize: materialized=table
                SELECT d.device_id, coalesce(r.device_sk, -1) AS device_sk FROM (SELECT DISTINCT device_id, '2030-01-01'::timestamptz AS at FROM {{ raw('devices') }}) d
                {{ scd2_join('\(Self.longName)', 'd.device_id', 'd.at', 'r') }}
                """),
        ]
        let environment = ModelEnvironment(schemas: ["warehouse": Self.prefix + "_wh"], rawSchema: Self.prefix + "_raw")
        return try ModelCompiler(environment: environment).compile(files)
    }

    func transform(_ runId: Int64) async throws -> TransformReport {
        let uri = self.uri
        let runner = TransformRunner(graph: try ModelGraph(try models()), meta: WarehouseMeta(schema: Self.prefix + "_meta"),
                                     connect: { try PGConnection(uri) })
        return try await runner.run(RunContext(runId: runId, pipeline: Self.prefix, startedAt: Int64(runId) * 86_400_000))
    }

    @Test func aViewReadingTheRangesAndALongDimensionNameKeepWorking() async throws {
        try connection.execute("""
            INSERT INTO \(raw) VALUES ('d1', 'north', '2026-01-01', '2026-01-01'), ('d2', 'south', '2026-01-01', '2026-01-01')
            """)
        let first = try await transform(1)
        #expect(first.succeeded, "\(first.models.compactMap(\.error))")
        let ranges = SCD2Ranges(schema: Self.prefix + "_wh", dimension: Self.longName, naturalKey: "device_id", surrogateKey: "device_sk").table
        #expect(ranges.name.utf8.count <= 63 && ranges.name != Self.longName && ranges.name.hasSuffix("__energize_ranges"), "\(ranges.name)")
        #expect(try connection.execute("SELECT count(*) FROM \(SQLIdentifier.qualified(ranges.schema, ranges.name))").scalar == "2")

        // A new version of d1: the dimension is built again although the view reads its ranges,
        // and the view then finds the new version.
        try connection.execute("UPDATE \(raw) SET site = 'east', updated_at = '2026-02-01' WHERE device_id = 'd1'")
        let second = try await transform(2)
        #expect(second.succeeded, "\(second.models.compactMap(\.error))")
        let wh = SQLIdentifier.quote(Self.prefix + "_wh")
        let current = try connection.execute("SELECT device_sk::text FROM \(wh).dim_device WHERE device_id = 'd1' AND is_current").scalar
        #expect(try connection.execute("SELECT device_sk::text FROM \(wh).device_now WHERE device_id = 'd1'").scalar == current)
        #expect(try connection.execute("SELECT count(*) FROM \(wh).dim_device__energize_ranges").scalar == "3")
        #expect(try connection.execute("SELECT count(*) FROM \(wh).device_long WHERE device_sk = -1").scalar == "0")
    }
}
