import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// `energize run --reload`: an incremental stream reads its whole collection once, as on its first
/// load, and its table becomes what it read: rows of documents deleted outside the window go, rows
/// read again unchanged stay as they are, and the collection's load rejects start over.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ReloadTests {
    static let database = "it_reload"
    static let schema = "it_reload"
    static let metaSchema = "it_reload_meta"

    func pipeline(reload: Bool) throws -> Pipeline {
        var stream = StreamConfig("orders", strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: Lookback(milliseconds: 0)))
        stream.reload = reload
        return Pipeline(name: "it-reload", source: MongoSource(uri: try LiveServers.mongoURI(), database: Self.database),
                        sink: PGSink(connectionString: try LiveServers.pgURI(),
                                     settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.metaSchema)),
                        streams: [stream])
    }

    static func order(_ n: Int, minute: Int64, total: Double = 10, key: Bool = true) -> Document {
        var document: Document = ["_id": .string("o\(n)"), "updated_at": .date(1_767_225_600_000 + minute * 60_000), "total": .double(total)]
        if key { document["order_id"] = .string("O\(n)") }
        return document
    }

    @Test func aReloadDeletesWhatTheWindowMissedAndKeepsWhatDidNotChange() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.metaSchema])
        defer { connection.close() }
        let client = try LiveServers.freshCollections(Self.database, ["orders"])
        let orders = client.collection("orders", in: Self.database)
        // o3 has no key: rejected.
        try orders.insertMany([Self.order(1, minute: 0), Self.order(2, minute: 1), Self.order(3, minute: 2, key: false), Self.order(4, minute: 3),
                               Self.order(6, minute: 0)])
        let first = try await pipeline(reload: false).run()
        #expect(first.succeeded, "\(first.streams.compactMap(\.error))")
        func table() throws -> [[String?]] {
            try connection.execute("SELECT order_id, total::text, _run_id::text FROM it_reload.orders ORDER BY 1").rows
        }
        let runOne = String(first.run.runId)
        #expect(try table() == [["O1", "10", runOne], ["O2", "10", runOne], ["O4", "10", runOne], ["O6", "10", runOne]])

        // Deleted before the window (o2, o3) and changed without moving the cursor (o1): an
        // incremental run cannot see any of it.
        try orders.deleteMany(["_id": .string("o2")])
        try orders.deleteMany(["_id": .string("o3")])
        try orders.replaceOne(["_id": .string("o1")], with: Self.order(1, minute: 0, total: 12))
        let second = try await pipeline(reload: false).run()
        #expect(second.succeeded)
        #expect(try table() == [["O1", "10", runOne], ["O2", "10", runOne], ["O4", "10", runOne], ["O6", "10", runOne]])
        #expect(try connection.execute("SELECT document_id FROM it_reload._rejects").rows == [["o3"]])
        // o6's new version lost its key: rejected, it keeps the row its loaded version left.
        try orders.replaceOne(["_id": .string("o6")], with: Self.order(6, minute: 0, total: 99, key: false))

        // The reload reads everything: o2 goes, o1 takes its new total, o4 is left as it was.
        let reload = try await pipeline(reload: true).run()
        #expect(reload.succeeded, "\(reload.streams.compactMap(\.error))")
        let runThree = String(reload.run.runId)
        #expect(try table() == [["O1", "12", runThree], ["O4", "10", runOne], ["O6", "10", runOne]])
        #expect(try connection.execute("SELECT document_id FROM it_reload._rejects").rows == [["o6"]])
        let stream = try #require(reload.streams.first)
        #expect(stream.rowsRead == 3 && stream.rowsRejected == 1 && stream.cutoff == nil)
        #expect(stream.outcome?.rowsDeleted == 2 && stream.outcome?.rowsLoaded == 1 && stream.outcome?.tableRows == 3, "\(String(describing: stream.outcome))")
        #expect(stream.outcome?.watermarkAfter == .date(1_767_225_600_000 + 3 * 60_000))
        // The history says it was a reload, and what it deleted.
        #expect(try connection.execute("SELECT strategy, rows_deleted::text FROM it_reload_meta.stream_runs WHERE run_id = $1", [runThree]).rows
                == [["incremental(updated_at, key order_id, look-back 0d), reloaded whole", "2"]])

        // The next run is an ordinary window again, from the watermark the reload left.
        try orders.insertMany([Self.order(5, minute: 4)])
        let after = try await pipeline(reload: false).run()
        #expect(after.succeeded)
        #expect(after.streams.first?.cutoff == .date(1_767_225_600_000 + 3 * 60_000))
        #expect(try table().map { $0[0] } == ["O1", "O4", "O5", "O6"])
    }

    /// `run --reload` of every stream leaves an append stream's history alone unless `--streams`
    /// names it; named, its table becomes what MongoDB holds.
    @Test func anAppendStreamIsReloadedOnlyWhenNamed() async throws {
        let database = "it_reload_append"
        let client = try LiveServers.freshCollections(database, ["events", "orders"])
        try client.collection("events", in: database).insertMany([["_id": .string("e1"), "kind": .string("click")],
                                                                  ["_id": .string("e2"), "kind": .string("view")]])
        try client.collection("orders", in: database).insertMany([Self.order(1, minute: 0)])
        let project = try TemporaryProject("it_reload_app", """
            pipeline: it_reload_app
            source: {database: \(database)}
            streams:
              - {name: events, strategy: append}
              - {name: orders, strategy: incremental, key: order_id, cursor: updated_at, lookback: 1d}
            transform: {enabled: false}
            """)
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        #expect(try project.energize("run").status == 0)
        // The source keeps only the newest event (an expiring collection, say).
        try client.collection("events", in: database).deleteMany(["_id": .string("e1")])
        let all = try project.energize("run", "--reload")
        #expect(all.status == 0 && all.output.contains("reload: orders read whole")
                && all.output.contains("append streams events load as usual"), "\(all.output)")
        // Appended again, the history kept: e1 once, e2 twice.
        #expect(try connection.execute("SELECT _id, count(*)::text FROM it_reload_app_raw.events GROUP BY 1 ORDER BY 1").rows
                == [["e1", "1"], ["e2", "2"]])
        let named = try project.energize("run", "--reload", "--streams", "events")
        #expect(named.status == 0 && named.output.contains("reload: events read whole"), "\(named.output)")
        #expect(try connection.execute("SELECT _id FROM it_reload_app_raw.events ORDER BY 1").rows == [["e2"]])
    }
}
