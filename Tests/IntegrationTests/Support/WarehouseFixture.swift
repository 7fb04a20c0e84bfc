import EnergizeCore
@testable import EnergizeCLI
import EnergizeTesting
import Foundation
import PGSink
import Testing
import Warehouse

/// Hand-written EnergizeTech documents loaded through the real pipeline into a schema of their
/// own, then transformed with the EnergizeTech model set: one fixture per warehouse rule.
final class WarehouseFixture: @unchecked Sendable {
    // @unchecked Sendable: used by one test at a time (suites are serialized).
    let source = MemorySource()
    /// Reads from here instead of `source` when set (a real MongoDB database).
    var liveSource: (any Source)?
    /// The streams loaded (the EnergizeTech contract unless a test changes them).
    var streams: [StreamConfig]
    let prefix: String
    let connection: PGConnection
    let uri: String

    var rawSchema: String { prefix + "_raw" }
    var metaSchema: String { prefix + "_meta" }
    var warehouseSchema: String { prefix + "_wh" }
    var stagingSchema: String { prefix + "_stg" }

    init(_ prefix: String) throws {
        self.prefix = prefix
        uri = try LiveServers.pgURI()
        connection = try LiveServers.freshSchemas([prefix + "_raw", prefix + "_meta", prefix + "_wh", prefix + "_stg"])
        streams = try EnergizeTechProject.streams()
        for name in ["customers", "products", "stores", "sales", "transactions"] { source.set(name, []) }
    }

    deinit { connection.close() }

    static let day: Int64 = 86_400_000
    static func at(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int = 12, _ minute: Int = 0) -> Value {
        .date(CivilTime.milliseconds(year: year, month: month, day: day, hour: hour, minute: minute))
    }

    private var ids = 0
    func nextId() -> Value {
        ids += 1
        return .objectId(String(format: "%024x", ids))
    }

    func customer(_ id: String, city: String = "São Paulo", region: String = "Sudeste", created: Value = at(2024, 1, 1),
                  updated: Value = at(2024, 1, 1), extra: Document = Document()) -> Document {
        var document: Document = ["_id": nextId(), "customer_id": .string(id), "name": .string("Cliente \(id)"),
                                  "type": .string("consumer"), "city": .string(city), "state": .string("SP"),
                                  "region": .string(region), "created_at": created, "updated_at": updated]
        document.fields += extra.fields
        return document
    }

    func product(_ sku: String, chemistry: String = "LFP", price: Value = .decimal("100.00"), created: Value = at(2024, 1, 1)) -> Document {
        ["_id": nextId(), "sku": .string(sku), "name": .string("Bateria \(sku)"), "chemistry": .string(chemistry),
         "capacity_kwh": .double(60), "voltage": .int32(400), "warranty_years": .int32(8), "list_price": price,
         "active": .bool(true), "created_at": created, "updated_at": created]
    }

    func store(_ id: String, channel: String = "physical", region: String = "Sul") -> Document {
        ["_id": nextId(), "store_id": .string(id), "name": .string("Loja \(id)"), "channel": .string(channel),
         "city": .string("Curitiba"), "state": .string("PR"), "region": .string(region),
         "opened_at": Self.at(2023, 1, 1), "updated_at": Self.at(2023, 1, 1)]
    }

    func sale(_ id: String, customer: String, store: String = "S1", channel: String = "physical", soldAt: Value,
              status: String = "completed", items: [(sku: String, quantity: Int32, price: Value, discount: Double?)],
              updated: Value? = nil) -> Document {
        let lines: [Value] = items.map { item in
            var line: Document = ["sku": .string(item.sku), "quantity": .int32(item.quantity), "unit_price": item.price]
            if let discount = item.discount { line["discount"] = .double(discount) }
            return .document(line)
        }
        return ["_id": nextId(), "sale_id": .string(id), "customer_id": .string(customer), "store_id": .string(store),
                "channel": .string(channel), "sold_at": soldAt, "status": .string(status), "items": .array(lines),
                "total_amount": .decimal("0.00"), "currency": .string("BRL"), "updated_at": updated ?? soldAt]
    }

    func transaction(_ id: String, sale: String, kind: String = "payment", amount: Value, at time: Value) -> Document {
        ["_id": nextId(), "transaction_id": .string(id), "sale_id": .string(sale), "kind": .string(kind),
         "method": .string("pix"), "amount": amount, "installments": .int32(1), "occurred_at": time, "updated_at": time]
    }

    /// Extract-load then transform; returns the run (its start is the SCD2 close time).
    @discardableResult
    func run(fullRefresh: Bool = false) async throws -> RunContext {
        let run = try await load()
        try await transform(run, fullRefresh: fullRefresh)
        return run
    }

    /// Extract-load alone; returns the run.
    func load() async throws -> RunContext {
        let sink = PGSink(connectionString: uri, settings: PGSinkSettings(rawSchema: rawSchema, metaSchema: metaSchema))
        let report = try await Pipeline(name: prefix, source: liveSource ?? source, sink: sink, streams: streams).run()
        guard report.succeeded else { throw LiveServers.Missing(description: "load failed: \(report.streams.compactMap(\.error))") }
        return report.run
    }

    /// Runs the models for `run`.
    func transform(_ run: RunContext, fullRefresh: Bool = false) async throws {
        let transform = try await transformer().run(run, fullRefresh: fullRefresh)
        guard transform.succeeded else {
            throw LiveServers.Missing(description: "transform failed: \(transform.models.compactMap(\.error))")
        }
    }

    /// The EnergizeTech project's models and tests, compiled against the raw tables as they are now.
    func project() throws -> ProjectModels {
        try EnergizeTechProject.models(prefix: prefix, connection: connection)
    }

    func transformer() throws -> TransformRunner {
        let uri = self.uri
        return TransformRunner(graph: try project().graph, meta: WarehouseMeta(schema: metaSchema), connect: { try PGConnection(uri) })
    }

    func dataTests(runId: Int64) throws -> [DataTestResult] {
        let project = try project()
        return try DataTestRunner(tests: project.tests, graph: project.graph, meta: WarehouseMeta(schema: metaSchema)).run(connection, runId: runId)
    }

    /// Records the sale lines that cannot be typed in `_rejects`, as `energize transform` does.
    func recordItemRejects(runId: Int64, fullRefresh: Bool = false) throws -> Int {
        let model = try #require(try project().graph.model("stg_sale_item_rejects"))
        return try RejectRecording(rawSchema: rawSchema, meta: WarehouseMeta(schema: metaSchema)).record(model, on: connection, runId: runId, fullRefresh: fullRefresh)
    }

    /// Rows of a query as text.
    func rows(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try connection.execute(sql.replacingOccurrences(of: "WH.", with: "\(warehouseSchema).")
                                  .replacingOccurrences(of: "RAW.", with: "\(rawSchema)."), parameters).rows
    }

    /// The run's start as PostgreSQL prints a timestamptz.
    func text(_ ms: Int64) throws -> String {
        try connection.execute("SELECT to_timestamp($1::double precision / 1000)::text", [String(ms)]).scalar ?? ""
    }
}
