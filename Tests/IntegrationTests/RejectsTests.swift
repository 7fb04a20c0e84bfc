import EnergizeCore
import EnergizeTesting
import Foundation
import PGSink
import Testing

/// `_rejects` holds one current row per rejected document: re-reading it (a look-back window)
/// does not add copies, the row remembers the run that first rejected it, and it goes when the
/// document loads or leaves a replaced collection.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct RejectsTests {
    static let schema = "it_rejects"

    func run(_ source: MemorySource, _ streams: [StreamConfig]) async throws -> Int64 {
        let sink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta"))
        let report = try await Pipeline(name: "it-rejects", source: source, sink: sink, streams: streams).run()
        #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
        return report.run.runId
    }

    @Test func oneCurrentRowPerRejectedDocument() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let day: Int64 = 86_400_000
        func order(_ id: String, amount: Value, at days: Int64) -> Document {
            ["_id": .string(id), "order_id": .string(id), "amount": amount, "updated_at": .date(1_767_225_600_000 + days * day)]
        }
        let contract = [FieldRequirement("order_id", .string), FieldRequirement("amount", .number)]
        let streams = [StreamConfig("orders", strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: .days(7)), contract: contract),
                       StreamConfig("codes", strategy: .replace, contract: [FieldRequirement("code", .string)])]
        let source = MemorySource()
        source.set("orders", [order("A", amount: .int32(1), at: 1), order("B", amount: .string("two"), at: 2)])
        source.set("codes", [["_id": .string("c1"), "code": .string("X")], ["_id": .string("c2"), "code": .int32(7)]])
        for _ in 1...3 { _ = try await run(source, streams) }
        func rejects() throws -> [[String?]] {
            try connection.execute("""
                SELECT collection, document_id, first_run_id::text, last_run_id::text FROM \(Self.schema)._rejects ORDER BY 1, 2
                """).rows
        }
        // B sits inside the look-back window: read three times, rejected once.
        #expect(try rejects() == [["codes", "c2", "1", "3"], ["orders", "B", "1", "3"]])
        // Fixed, B loads and its reject goes; c2 leaves the replaced collection and its reject goes.
        source.set("orders", [order("A", amount: .int32(1), at: 1), order("B", amount: .int32(2), at: 3)])
        source.set("codes", [["_id": .string("c1"), "code": .string("X")]])
        let fourth = try await run(source, streams)
        #expect(try rejects() == [])
        #expect(try connection.execute("SELECT amount::text FROM \(Self.schema).orders WHERE order_id = 'B'").scalar == "2")
        // Rejected again later: a new row, first seen in that run.
        source.set("orders", [order("A", amount: .int32(1), at: 1), order("B", amount: .document(["v": .int32(2)]), at: 4)])
        _ = try await run(source, streams)
        #expect(try rejects() == [["orders", "B", String(fourth + 1), String(fourth + 1)]])
    }
}
