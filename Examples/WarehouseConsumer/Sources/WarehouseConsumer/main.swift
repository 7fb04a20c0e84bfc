// Builds a small pipeline and warehouse from Swift with energize's public API:
// 1. a pipeline loads devices and their readings (documents as a source would give them)
//    into PostgreSQL raw tables — from an in-memory source, so no MongoDB is needed;
// 2. a staging view, an SCD2 dimension of devices (a new version when a device moves site)
//    and a table of readings keyed to the device version valid at each reading;
// 3. prints the dimension's plan, then runs the models on PostgreSQL (ENERGIZE_PG_URI) or,
//    without one, on a recording executor that prints what would run.
import EnergizeCore
import EnergizeTesting
import Foundation
import PGSink
import Warehouse

let schema = "consumer"
let day: Int64 = 86_400_000
func at(_ days: Int64) -> Value { .date(1_767_225_600_000 + days * day) }   // 2026-01-01 + days

// 1. The source: two devices, one of which moves site; three readings.
let source = MemorySource()
source.set("devices", [
    ["_id": .string("d1"), "device_id": .string("D1"), "site": .string("Recife"), "created_at": at(0), "updated_at": at(0)],
    ["_id": .string("d2"), "device_id": .string("D2"), "site": .string("Natal"), "created_at": at(0), "updated_at": at(0)],
])
source.set("readings", [
    ["_id": .string("r1"), "reading_id": .string("R1"), "device_id": .string("D1"), "kwh": .double(1.5), "at": at(1)],
    ["_id": .string("r2"), "reading_id": .string("R2"), "device_id": .string("D2"), "kwh": .double(2.0), "at": at(2)],
])
let streams = [
    StreamConfig("devices", strategy: .replace, contract: [FieldRequirement("device_id", .string), FieldRequirement("site", .string)]),
    StreamConfig("readings", strategy: .incremental(cursor: "at", key: "reading_id", lookback: .days(1))),
]

// 2. The models.
let staging = Model(name: "stg_devices", schema: schema + "_staging",
                    sql: "SELECT device_id, site, created_at, updated_at FROM \(schema)_raw.devices", materialization: .view)
let devices = SCD2Dimension(naturalKey: "device_id", surrogateKey: "device_sk", tracked: ["site"], carried: ["created_at", "updated_at"])
let dimension = Model(name: "dim_device", schema: schema, sql: "SELECT * FROM \(staging.relation)",
                      materialization: .scd2(devices), dependencies: [staging.name])
let readings = Model(name: "fact_readings", schema: schema, sql: """
    SELECT r.reading_id, r.at, r.kwh, \(devices.lookup(table: dimension.relation, key: "r.device_id", at: "r.at")) AS device_sk
    FROM \(schema)_raw.readings r
    """, materialization: .table, dependencies: [dimension.name])
let graph = try ModelGraph([staging, dimension, readings])

// 3. The plan of the dimension's first build, as text: no database needed.
print(try dimension.plan(PlanContext(runId: 1, runStartedAt: "2026-01-10 00:00:00+00")))
print("")

let environment = ProcessInfo.processInfo.environment
if let pgURI = environment["ENERGIZE_PG_URI"], !pgURI.isEmpty {
    let setup = try PGConnection(pgURI)
    for name in ["_raw", "_staging", "", "_meta"] { try setup.execute("DROP SCHEMA IF EXISTS \"\(schema + name)\" CASCADE") }
    try setup.execute("CREATE SCHEMA \"\(schema)_staging\"")
    try setup.execute("CREATE SCHEMA \"\(schema)\"")
    let sink = PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: schema + "_raw", metaSchema: schema + "_meta"))
    let meta = WarehouseMeta(schema: schema + "_meta")
    for _ in 1...2 {
        let report = try await Pipeline(name: "consumer", source: source, sink: sink, streams: streams).run()
        let transform = try await TransformRunner(graph: graph, meta: meta, connect: { try PGConnection(pgURI) }).run(report.run)
        print("run \(report.run.runId): \(report.streams.map { "\($0.stream) \($0.outcome?.rowsLoaded ?? 0) rows" }.joined(separator: ", ")); "
              + "models: \(transform.models.map { "\($0.model) \($0.status.rawValue)" }.joined(separator: ", "))")
        guard report.succeeded, transform.succeeded else { exit(1) }
        // A day later device D1 moves to Olinda and takes a new reading there.
        source.set("devices", [
            ["_id": .string("d1"), "device_id": .string("D1"), "site": .string("Olinda"), "created_at": at(0), "updated_at": at(3)],
            ["_id": .string("d2"), "device_id": .string("D2"), "site": .string("Natal"), "created_at": at(0), "updated_at": at(0)],
        ])
        source.set("readings", source.documents("readings") + [
            ["_id": .string("r3"), "reading_id": .string("R3"), "device_id": .string("D1"), "kwh": .double(0.5), "at": at(4)]])
    }
    let rows = try setup.execute("""
        SELECT f.reading_id, d.site FROM "\(schema)".fact_readings f JOIN "\(schema)".dim_device d USING (device_sk) ORDER BY 1
        """).rows
    print("readings with the device's site at the time: " + rows.map { "\($0[0] ?? "") \($0[1] ?? "")" }.joined(separator: ", "))
    setup.close()
    guard rows.map({ $0[1] ?? "" }) == ["Recife", "Natal", "Olinda"] else { print("unexpected sites"); exit(1) }
} else {
    let recorder = RecordingSQLExecutor()
    let sink = MemorySink()
    let report = try await Pipeline(name: "consumer", source: source, sink: sink, streams: streams).run()
    let transform = try await TransformRunner(graph: graph, connect: { recorder }).run(report.run)
    print("no ENERGIZE_PG_URI: loaded \(sink.rows("devices").count) devices into memory; "
          + "\(transform.models.count) models planned, \(recorder.statements.count) statements recorded")
}
