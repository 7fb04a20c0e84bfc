import EnergizeCore
import Foundation
import MongoSource
import Testing

/// A change stream on the local wire-protocol server: inserts, a replace and a delete arrive in
/// order with typed keys and full documents read as a batch read gives them, and a stream opened
/// with an event's resume token continues right after that event.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct MongoChangeStreamLiveTests {
    static let database = "it_change_stream"

    /// Polls `stream` until `count` changes came (sleeping while none waits: a server may answer at once), for up to 20 s.
    func changes(_ stream: MongoChangeStream, count: Int) throws -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        let deadline = Date().addingTimeInterval(20)
        while events.count < count, Date() < deadline {
            if let event = try stream.next() { events.append(event) } else { Thread.sleep(forTimeInterval: 0.02) }
        }
        return events
    }

    @Test func changesArriveInOrderTypedAndResumeAfterAToken() throws {
        let client = try LiveServers.freshCollections(Self.database, ["watched"])
        let collection = client.collection("watched", in: Self.database)
        let stream = try collection.watch(maxAwaitMilliseconds: 100)
        let a: Document = ["_id": .objectId("65e1f0000000000000000a01"), "sold_at": .date(1_751_761_202_769), "total": .decimal("4599.90"),
                           "items": .array([.document(["sku": .string("BAT-1"), "unit_price": .decimal("0.10")])]), "ok": .bool(true)]
        let b: Document = ["_id": .int32(7), "n": .int32(1), "name": .string("São Paulo ⚡")]
        let c: Document = ["_id": .string("c"), "n": .int64(1 << 40)]
        try collection.insertMany([a])
        try collection.insertMany([b])
        try collection.insertMany([c])
        var replaced = b
        replaced["n"] = .int32(2)
        try collection.replaceOne(["_id": .int32(7)], with: replaced)
        try collection.deleteMany(["_id": .objectId("65e1f0000000000000000a01")])

        let events = try changes(stream, count: 5)
        try #require(events.count == 5, "\(events)")
        #expect(events.map(\.key) == [a["_id"], .int32(7), .string("c"), .int32(7), a["_id"]])
        #expect(events[0...2].map(\.operation) == [.insert, .insert, .insert])
        // MongoDB reports a whole-document replace as `replace`; a server may call it an update.
        #expect([.replace, .update].contains(events[3].operation))
        #expect(events[4].operation == .delete && events[4].document == nil)
        // Full documents hold what a batch read of the same document gives.
        #expect(events[0].document == a)
        #expect(events[1].document == b)
        #expect(events[2].document == (try collection.findOne(["_id": .string("c")])))
        #expect(events[3].document == (try collection.findOne(["_id": .int32(7)])))
        #expect(events.allSatisfy { !$0.resumeToken.fields.isEmpty })
        #expect(stream.resumeToken != nil)

        // Resumed after the second event: the third, fourth and fifth, and nothing before them.
        let resumed = try collection.watch(resumeAfter: events[1].resumeToken, maxAwaitMilliseconds: 100)
        let rest = try changes(resumed, count: 3)
        #expect(rest.map(\.key) == [.string("c"), .int32(7), a["_id"]], "\(rest)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try resumed.next() == nil)
    }
}
