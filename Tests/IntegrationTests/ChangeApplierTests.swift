import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// A collection's change stream applied to PostgreSQL in micro-batches (`ChangeApplier`): the raw
/// table and `_rejects` end equal to batch runs of the same history (one midway, one at the end: a
/// rejected newer version keeps the last loaded one in both), the resume token
/// commits with each batch, and a batch applied twice (a restart before the next) changes nothing.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ChangeApplierTests {
    static let database = "it_change_apply"

    /// Rows of a raw table (without `_loaded_at` and `_run_id`) and its collection's current rejects, as one text.
    func contents(_ connection: PGConnection, _ schema: String) throws -> String {
        let rows = try connection.execute("""
            SELECT coalesce(string_agg(r::text, '|' ORDER BY r::text), '') FROM
              (SELECT to_jsonb(t) - '_loaded_at' - '_run_id' AS r FROM \(schema).orders t) x
            """).scalar ?? ""
        let rejects = try connection.execute("""
            SELECT coalesce(string_agg(document_id || ': ' || reason, '|' ORDER BY document_id), '') FROM \(schema)._rejects
            """).scalar ?? ""
        return rows + "\n" + rejects
    }

    @Test func microBatchesOfChangesEqualABatchLoadAndResumeWhereTheyCommitted() async throws {
        let client = try LiveServers.freshCollections(Self.database, ["orders"])
        let collection = client.collection("orders", in: Self.database)
        let connection = try LiveServers.freshSchemas(["it_follow", "it_follow_meta", "it_follow_batch", "it_follow_batch_meta"])
        defer { connection.close() }
        let stream = StreamConfig("orders", strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: .days(7)),
                                  contract: [FieldRequirement("order_id", .string), FieldRequirement("amount", .number)])
        let changes = try collection.watch(maxAwaitMilliseconds: 50)

        // A history: inserts (one breaking the contract), replaces (one fixing it, one breaking
        // another), deletes (one of a document changed before), a document inserted again.
        func order(_ n: Int, amount: Value, at minute: Int64) -> Document {
            ["_id": .objectId(String(format: "65e1f00000000000000%05x", n)), "order_id": .string("O\(n)"), "amount": amount,
             "lines": .array([.document(["sku": .string("BAT-\(n % 3)"), "qty": .int32(Int32(n % 4 + 1))])]),
             "updated_at": .date(1_767_225_600_000 + minute * 60_000)]
        }
        for n in 1...40 { try collection.insertMany([order(n, amount: n == 7 ? .string("seven") : .decimal("\(n).50"), at: Int64(n))]) }
        // The batch side of the same history: a run now and one at the end, as a daily run would see it.
        let batchSink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: "it_follow_batch", metaSchema: "it_follow_batch_meta"))
        func batchRun() async throws {
            let report = try await Pipeline(name: "it-follow-batch", source: MongoSource(uri: try LiveServers.mongoURI(), database: Self.database),
                                            sink: batchSink, streams: [stream]).run()
            #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
        }
        try await batchRun()
        for n in [3, 7, 12] {
            try collection.replaceOne(["_id": order(n, amount: .null, at: 0)["_id"]!], with: order(n, amount: n == 12 ? .string("x") : .int32(Int32(n)), at: 100 + Int64(n)))
        }
        for n in [3, 20, 21] { try collection.deleteMany(["_id": order(n, amount: .null, at: 0)["_id"]!]) }
        try collection.insertMany([order(21, amount: .double(21.25), at: 200)])
        var events: [ChangeEvent] = []
        let deadline = Date().addingTimeInterval(30)
        while events.count < 47, Date() < deadline {
            if let event = try changes.next() { events.append(event) } else { usleep(20_000) }
        }
        try #require(events.count == 47, "\(events.count) events")

        // Followed: micro-batches of 6 events, each with the token of its last event.
        let sink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: "it_follow", metaSchema: "it_follow_meta"))
        let run = try sink.beginRun(pipeline: "it-follow", streams: [stream])
        let applier = ChangeApplier(stream: stream, sink: sink, settings: PipelineSettings(batchSize: 4))
        var applied = 0
        for start in stride(from: 0, to: events.count, by: 6) {
            let batch = Array(events[start..<min(start + 6, events.count)])
            let report = try applier.apply(batch, resumeToken: MongoChangeStream.bytes(of: batch.last!.resumeToken), run: run)
            applied += report.events
            // At least once: the same batch again (a restart before the next commit) changes nothing.
            if start == 12 {
                let before = try contents(connection, "it_follow")
                try applier.apply(batch, resumeToken: MongoChangeStream.bytes(of: batch.last!.resumeToken), run: run)
                #expect(try contents(connection, "it_follow") == before)
                applied += report.events
            }
        }
        try await batchRun()
        let followed = try contents(connection, "it_follow"), loaded = try contents(connection, "it_follow_batch")
        #expect(followed == loaded)
        // O12's newer version breaks the contract: its last loaded version stays, the newer one is a reject.
        #expect(try connection.execute("SELECT count(*) FROM it_follow.orders").scalar == "38")
        #expect(try connection.execute("SELECT document_id FROM it_follow._rejects").scalar == "65e1f000000000000000000c", "O7 was fixed, O12 broke")

        // The token of the last batch committed with it: a stream resumed there has nothing more.
        let point = try #require(try sink.resumePoint(pipeline: "it-follow", stream: "orders"))
        #expect(MongoChangeStream.token(bytes: point.token) == events.last!.resumeToken)
        #expect(try connection.execute("SELECT changes_applied::text FROM it_follow_meta.change_streams").scalar == String(applied))
        let resumed = try collection.watch(resumeAfter: MongoChangeStream.token(bytes: point.token), maxAwaitMilliseconds: 50)
        usleep(200_000)
        #expect(try resumed.next() == nil)
        try collection.insertMany([order(99, amount: .int32(1), at: 300)])
        var next: ChangeEvent?
        for _ in 0..<500 where next == nil {
            next = try resumed.next()
            if next == nil { usleep(20_000) }
        }
        #expect(next?.key == order(99, amount: .null, at: 0)["_id"])
    }
}
