import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// The libmongoc reader against the local wire-protocol server.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct MongoSourceLiveTests {
    static let database = "it_mongo_source"

    @Test(arguments: [0, 1, 7, 10, 11, 1000])
    func rangePagesAndSingleCursorReadEveryDocumentOnce(pageSize: Int) throws {
        let client = try LiveServers.freshCollections(Self.database, ["paged"])
        let documents: [Document] = (0..<10).map { n in
            ["_id": .objectId(String(format: "65e1f000%016x", n + 1)), "n": .int32(Int32(n)),
             "updated_at": .date(Int64(n) * 1_000)]
        }
        try client.collection("paged", in: Self.database).insertMany(documents)
        let source = MongoSource(uri: try LiveServers.mongoURI(), database: Self.database,
                                 options: MongoReadOptions(pageSize: pageSize, batchSize: 3))
        let stream = StreamConfig("paged", strategy: .incremental(cursor: "updated_at", key: "n", lookback: .none))
        for (floor, expected) in [(nil as Value?, 10), (.date(4_000), 6)] {
            let reader = try source.openReader(ExtractRequest(stream: stream, cursorFloor: floor))
            var seen: [Int32] = []
            while let document = try reader.next() {
                if case .int32(let n) = document["n"] { seen.append(n) }
            }
            #expect(seen.sorted() == Array(Int32(10 - expected)..<10), "page size \(pageSize), floor \(String(describing: floor))")
        }
    }

    @Test func decimalsDatesAndNestedValuesSurviveTheServer() throws {
        let client = try LiveServers.freshCollections(Self.database, ["typed_values"])
        let document: Document = [
            "_id": .objectId("65e1f0000000000000000042"), "price": .decimal("4599.90"),
            "big": .int64(1 << 40), "when": .date(-1_000), "text": .string("tab\there \"quoted\" \\ ⚡"),
            "items": .array([.document(["unit_price": .decimal("0.10"), "quantity": .int32(2)])]),
        ]
        try client.collection("typed_values", in: Self.database).insertMany([document])
        let read = try client.collection("typed_values", in: Self.database).findOne()
        #expect(read == document)
    }

    @Test func anUnreachableServerFailsTheStreamAsTransient() throws {
        let source = MongoSource(uri: "mongodb://u:pw-secret@127.0.0.1:1/?serverSelectionTimeoutMS=500&connectTimeoutMS=500",
                                 database: "x")
        do {
            _ = try source.openReader(ExtractRequest(stream: StreamConfig("c")))
            Issue.record("opened a reader without a server")
        } catch let error as EnergizeError {
            #expect(error.retryability == .transient)
            #expect(!"\(error)".contains("pw-secret"))
            #expect(error.context["stream"] == "c")
        }
    }
}

/// Edge values the local server can store, through the server and the whole pipeline,
/// compared with the documents as they were written (not as read back). Dates after year
/// 9999 are refused by this server (Python datetime) and travel in BSONTypeTests instead.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ServerEdgeValueTests {
    static let database = "it_edge_values"
    static let schema = "it_edge_values"

    @Test func edgeValuesArriveUnchangedThroughTheServer() async throws {
        let client = try LiveServers.freshCollections(Self.database, ["edges"])
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        func id(_ n: Int) -> Value { .objectId(String(format: "65e1f000%016x", n)) }
        let documents: [Document] = [
            ["_id": id(1), "big": .int64(1 << 31), "huge": .int64(.max), "price": .decimal("1234567890123456789012345678901234"),
             "cents": .decimal("4599.90"), "ratio": .double(0.1), "tiny": .double(5e-324), "flag": .bool(true),
             "old": .date(-2_208_988_800_000), "late": .date(253_402_300_799_999), "empty": .string(""),
             "text": .string("tab\there\nnew \\. \"q\" 's' é 中 😀"), "ref": .objectId("65e1f0000000000000000abc"),
             "nested": .document(["price": .decimal("0.10"), "count": .int64(1 << 53 + 1), "when": .date(0),
                                  "list": .array([.string("a"), .null, .bool(false)])])],
            ["_id": id(2), "big": .int64(-(1 << 40)), "price": .decimal("-0.000001"), "cents": .decimal("NaN"),
             "ratio": .double(-1e300), "missing_later": .null, "nested": .array([])],
        ]
        try client.collection("edges", in: Self.database).insertMany(documents)
        let pipeline = Pipeline(name: "it-edges", source: MongoSource(uri: try LiveServers.mongoURI(), database: Self.database),
                                sink: PGSink(connectionString: try LiveServers.pgURI(),
                                             settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta")),
                                streams: [StreamConfig("edges")])
        let report = try await pipeline.run()
        #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
        let compare = TableComparison(connection: connection, client: client, database: Self.database, schema: Self.schema)
        #expect(try compare.mismatches(table: "edges", documents: documents) == [])
        #expect(try compare.columnTypes("edges") == ["_id": .text, "big": .bigint, "huge": .bigint, "price": .numeric,
                                                      "cents": .numeric, "ratio": .double, "tiny": .double, "flag": .boolean,
                                                      "old": .timestamptz, "late": .timestamptz, "empty": .text, "text": .text,
                                                      "ref": .text, "nested": .jsonb])
    }
}
