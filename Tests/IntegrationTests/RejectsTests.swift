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

    /// Two documents of one load with the same key: the table keeps one (the greatest cursor, else
    /// the last read), the other is a reject naming the one that kept the key — on a first load,
    /// a later one and a reload alike, in PostgreSQL as in the memory sink.
    @Test func aDocumentWhoseKeyAnotherHoldsIsRejectedNotDropped() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let day: Int64 = 86_400_000
        func order(_ id: String, key: String, at days: Int64) -> Document {
            // Fields named like what the statement names itself: nothing collides.
            ["_id": .string(id), "order_id": .string(key), "updated_at": .date(1_767_225_600_000 + days * day),
             "kept": .string("k-" + id), "energize_kept": .int32(1), "note": .null]
        }
        var stream = StreamConfig("orders", strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: .days(7)))
        let source = MemorySource()
        // A and B share O1: B's cursor is later, B loads. C and D share O2 in a merge-like tie: the last read loads.
        source.set("orders", [order("A", key: "O1", at: 1), order("B", key: "O1", at: 2), order("C", key: "O2", at: 3), order("D", key: "O2", at: 3)])
        let memory = MemorySink()
        for reload in [false, false, true] {
            stream.reload = reload
            let sink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta"))
            let report = try await Pipeline(name: "it-rejects", source: source, sink: sink, streams: [stream]).run()
            let inMemory = try await Pipeline(name: "it-rejects", source: source, sink: memory, streams: [stream]).run()
            #expect(report.streams.first?.rowsRejected == 2 && report.streams.first?.outcome?.tableRows == 2, "\(report.streams)")
            #expect(inMemory.streams.first?.rowsRejected == 2 && inMemory.streams.first?.outcome?.tableRows == 2, "\(inMemory.streams)")
            #expect(try connection.execute("SELECT _id FROM \(Self.schema).orders ORDER BY 1").rows == [["B"], ["D"]], "reload \(reload)")
            #expect(memory.rows("orders").compactMap { $0["_id"].map(DocumentRules.idText) }.sorted() == ["B", "D"])
            let rejects = try connection.execute("SELECT document_id, reason FROM \(Self.schema)._rejects ORDER BY 1").rows
            #expect(rejects.map { $0[0] } == ["A", "C"], "\(rejects)")
            #expect(rejects.first?[1]?.hasPrefix("duplicate key: document B has the same order_id (O1) and loaded") == true, "\(rejects)")
            // The reject keeps what the document held (its null field left out, as in the table's NULL).
            #expect(try connection.execute("""
                SELECT document ->> 'kept', document ? 'note', document ? '_run_id' FROM \(Self.schema)._rejects WHERE document_id = 'A'
                """).rows.first == ["k-A", "f", "f"])
            #expect(try connection.execute("""
                SELECT rows_read, rows_rejected FROM \(Self.schema)_meta.stream_runs WHERE run_id = $1::bigint
                """, [String(report.run.runId)]).rows.first == ["4", "2"])
        }
    }
}
