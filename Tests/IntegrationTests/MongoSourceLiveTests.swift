import EnergizeCore
import Foundation
import MongoSource
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
