import EnergizeCore
import Foundation
@testable import MongoSource
import Testing

/// Change event documents read into `ChangeEvent`s: the operation, the typed key, the full
/// document with values as a batch read gives them, the resume token and the time.
@Suite struct ChangeEventTests {
    @Test func aServersJSONFormsReadAsTheirBSONValues() {
        let json: Document = [
            "_id": .document(["__neosqlite_objectid__": .bool(true), "id": .string("65E1F0000000000000000042")]),
            "sold_at": .document(["$date": .string("2025-07-06T00:20:02.769000")]),
            "total": .document(["$numberDecimal": .string("4599.90")]),
            "items": .array([.document(["at": .document(["$date": .string("1969-12-31T23:59:59Z")])]), .int32(2)]),
            "kept": .document(["$date": .int32(3)]), "plain": .string("x"),
        ]
        #expect(ServerJSON.normalized(json) == [
            "_id": .objectId("65e1f0000000000000000042"), "sold_at": .date(1_751_761_202_769), "total": .decimal("4599.90"),
            "items": .array([.document(["at": .date(-1_000)]), .int32(2)]),
            "kept": .document(["$date": .int32(3)]), "plain": .string("x"),
        ])
    }

    @Test(arguments: [("2025-07-06T00:20:02", 1_751_761_202_000 as Int64?), ("2025-07-06T00:20:02.5", 1_751_761_202_500),
                      ("2025-07-06T00:20:02.123456789+00:00", 1_751_761_202_123), ("2025-07-06 00:20:02", nil),
                      ("2025-13-06T00:20:02", nil), ("2025-07-06T00:20:02.", nil), ("yesterday", nil)])
    func isoTimes(text: String, milliseconds: Int64?) {
        #expect(ServerJSON.isoMilliseconds(text) == milliseconds)
    }

    @Test func anEventReadsItsKeyFromTheFullDocument() {
        let token: Document = ["_data": .string("8263A1")]
        let update = MongoChangeStream.event([
            "_id": .document(token), "operationType": .string("update"),
            "clusterTime": .document(["$timestamp": .document(["t": .int64(1_700_000_000), "i": .int64(3)])]),
            "documentKey": .document(["_id": .string("7")]),
            "fullDocument": .document(["_id": .int32(7), "n": .int32(1)]),
        ])
        #expect(update == ChangeEvent(operation: .update, key: .int32(7), document: ["_id": .int32(7), "n": .int32(1)],
                                      resumeToken: token, clusterTime: 1_700_000_000_000))
        // A real delete carries no full document: the key comes from documentKey.
        let delete = MongoChangeStream.event(["_id": .document(token), "operationType": .string("delete"),
                                              "documentKey": .document(["_id": .objectId("65e1f0000000000000000001")])])
        #expect(delete.operation == .delete && delete.key == .objectId("65e1f0000000000000000001") && delete.document == nil)
        #expect(MongoChangeStream.event(["operationType": .string("shardCollection")]).operation == .other)
        #expect(MongoChangeStream.event(["operationType": .string("invalidate")]).changesDocument == false)
    }
}
