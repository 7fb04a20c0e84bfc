import CMongoC
import EnergizeCLI
import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// An incremental stream reads the documents its window holds and those without a cursor
/// (missing or null): no window would ever hold them, so they are rejected with their reason
/// on every run they are still there, never skipped without a trace.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct IncrementalCursorTests {
    static let database = "it_inc_cursor"
    static let schema = "it_inc_cursor"
    static let metaSchema = "it_inc_cursor_meta"

    static let stream = StreamConfig("orders", strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: Lookback(milliseconds: 0)))

    func pipeline() throws -> Pipeline {
        let stream = Self.stream
        return Pipeline(name: "it-inc-cursor", source: MongoSource(uri: try LiveServers.mongoURI(), database: Self.database),
                        sink: PGSink(connectionString: try LiveServers.pgURI(),
                                     settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.metaSchema)),
                        streams: [stream])
    }

    static func order(_ n: Int, updatedAt: Value?, key: Bool = true) -> Document {
        var document: Document = ["_id": .string("o\(n)")]
        if key { document["order_id"] = .string("O\(n)") }
        if let updatedAt { document["updated_at"] = updatedAt }
        return document
    }

    @Test func documentsWithoutACursorAreRejectedNotSkipped() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.metaSchema])
        defer { connection.close() }
        let client = try LiveServers.freshCollections(Self.database, ["orders"])
        let orders = client.collection("orders", in: Self.database)
        try orders.insertMany([Self.order(1, updatedAt: .date(1_767_225_600_000)), Self.order(2, updatedAt: .date(1_767_225_660_000))])
        let first = try await pipeline().run()
        #expect(first.succeeded, "\(first.streams.compactMap(\.error))")

        // Arriving after the first run: one without the cursor, one with it null, one in the window,
        // one in the window without its key.
        try orders.insertMany([Self.order(3, updatedAt: nil), Self.order(4, updatedAt: .null), Self.order(5, updatedAt: .date(1_767_225_720_000)),
                               Self.order(6, updatedAt: .date(1_767_225_780_000), key: false)])
        let second = try await pipeline().run()
        #expect(second.succeeded, "\(second.streams.compactMap(\.error))")
        #expect(try connection.execute("SELECT order_id FROM it_inc_cursor.orders ORDER BY 1").rows == [["O1"], ["O2"], ["O5"]])
        let rejected = try connection.execute("SELECT document_id, reason FROM it_inc_cursor._rejects ORDER BY 1").rows
        #expect(rejected.map { $0[0] } == ["o3", "o4", "o6"], "\(rejected)")
        #expect(rejected.prefix(2).allSatisfy { $0[1]?.contains("updated_at") == true }, "\(rejected)")

        // Rejected documents deleted since. One without a cursor: every window reads those, so its
        // reject goes with it. One with its cursor: a batch load cannot tell it from one that left
        // the window, so its reject stays, and `verify` says so.
        try orders.deleteMany(["_id": .string("o3")])
        try orders.deleteMany(["_id": .string("o6")])
        let third = try await pipeline().run()
        #expect(third.succeeded, "\(third.streams.compactMap(\.error))")
        #expect(try connection.execute("SELECT document_id FROM it_inc_cursor._rejects ORDER BY 1").rows == [["o4"], ["o6"]])
        let balance = try #require(try LoadBalance.measure(mongoURI: try LiveServers.mongoURI(), database: Self.database, pgURI: try LiveServers.pgURI(),
                                                           rawSchema: Self.schema, metaSchema: Self.metaSchema, streams: [Self.stream]).first)
        #expect(balance.goneRejected == ["o6"] && balance.missing.isEmpty && balance.extra.isEmpty && !balance.balanced, "\(balance)")
        withExtendedLifetime(client) {}
    }

    /// From a mongodump folder the window is the same: a document without a cursor is read on
    /// every run, so its reject stays while it is in the dump.
    @Test func fromADumpADocumentWithoutACursorStaysRejected() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema + "_dump", Self.schema + "_dump_meta"])
        defer { connection.close() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = DumpWriter()
        writer.add { bson in
            bson_append_utf8(bson, "_id", -1, "o1", -1)
            bson_append_utf8(bson, "order_id", -1, "O1", -1)
            bson_append_date_time(bson, "updated_at", -1, 1_767_225_600_000)
        }
        writer.add { bson in
            bson_append_utf8(bson, "_id", -1, "o2", -1)
            bson_append_utf8(bson, "order_id", -1, "O2", -1)
        }
        try writer.write(to: folder, collection: "orders")
        let pipeline = Pipeline(name: "it-inc-cursor-dump", source: MongoDumpSource(folder: folder.path),
                                sink: PGSink(connectionString: try LiveServers.pgURI(),
                                             settings: PGSinkSettings(rawSchema: Self.schema + "_dump", metaSchema: Self.schema + "_dump_meta")),
                                streams: [Self.stream])
        for _ in 1...2 {
            let report = try await pipeline.run()
            #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
        }
        #expect(try connection.execute("SELECT document_id FROM it_inc_cursor_dump._rejects").rows == [["o2"]])
        #expect(try connection.execute("SELECT order_id FROM it_inc_cursor_dump.orders").rows == [["O1"]])
    }
}
