@testable import EnergizeCLI
import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// `energize verify` compares keys, whatever their type: a stream not loaded yet, a row whose
/// newer version was rejected, and a row MongoDB no longer has are each named.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct VerifyTests {
    @Test func verifyComparesKeysOfAnyType() throws {
        let client = try LiveServers.freshCollections("it_verify", ["things"])
        let things = client.collection("things", in: "it_verify")
        try things.insertMany([["_id": .int32(1), "n": .int32(1)], ["_id": .int32(2), "n": .int32(2)], ["_id": .int32(3), "n": .int32(3)]])
        let project = try TemporaryProject("it_verify", """
            pipeline: it_verify
            streams: [{name: things, strategy: merge, key: _id, contract: {fields: {n: whole_number}}}]
            transform: {enabled: false}
            """)
        let energize = project.energize

        let before = try energize("verify")
        #expect(before.status == 1 && before.output.contains("NOT LOADED") && before.output.contains("things: no table it_verify_raw.things yet"),
                "\(before.output)")
        #expect(try energize("run").status == 0)
        let loaded = try energize("verify")
        #expect(loaded.status == 0 && loaded.output.contains("ok"), "integer _ids: \(loaded.output)")
        // Document 2's newer version breaks the contract: its older row stays (a rejected
        // version never deletes a loaded one), and verify says so. Document 3 leaves MongoDB
        // (a merge stream keeps what it loaded): verify says that too.
        try things.replaceOne(["_id": .int32(2)], with: ["_id": .int32(2), "n": .string("two")])
        try things.deleteMany(["_id": .int32(3)])
        #expect(try energize("run").status == 0)
        let drifted = try energize("verify")
        #expect(drifted.status == 1, "\(drifted.output)")
        #expect(drifted.output.contains("things: in the table as an older version whose newer one was rejected (see _rejects): 2"), "\(drifted.output)")
        #expect(drifted.output.contains("things: in the table, gone from MongoDB"), "\(drifted.output)")
        #expect(drifted.output.contains(": 3"), "\(drifted.output)")
    }

    /// A keyed stream's examples name the key beside the `_id`; counts are exact past the examples kept.
    @Test func verifyNamesBusinessKeysAndCountsEveryKey() throws {
        let client = try LiveServers.freshCollections("it_verify_keys", ["parts"])
        let parts = client.collection("parts", in: "it_verify_keys")
        let count = LoadBalance.exampleLimit + 200
        try parts.insertMany((1...count).map { ["_id": .int32(Int32($0)), "code": .string(String(format: "P-%05d", $0))] })
        let project = try TemporaryProject("it_verify_keys", """
            pipeline: it_verify_keys
            streams: [{name: parts, strategy: merge, key: code}, {name: ghosts}]
            transform: {enabled: false}
            """)
        #expect(try project.energize("run").status == 0)
        var stream = StreamConfig("parts")
        stream.strategy = .merge(key: "code")
        // Every document leaves MongoDB but one; a merge stream keeps what it loaded.
        try parts.deleteMany(["_id": .document(["$gt": .int32(1)])])
        try parts.insertMany([["_id": .int32(0), "code": .string("P-00000")]])
        let balance = try #require(try LoadBalance.measure(mongoURI: try LiveServers.mongoURI(), database: "it_verify_keys", pgURI: try LiveServers.pgURI(),
                                                           rawSchema: "it_verify_keys_raw", metaSchema: "it_verify_keys_meta",
                                                           streams: [stream]).first)
        #expect(balance.extra.count == count - 1 && balance.extra.examples.count == LoadBalance.exampleLimit, "\(balance.extra.count)")
        #expect(balance.extra.examples.first == "P-00002 (_id 2)", "\(balance.extra.examples.prefix(3))")
        #expect(balance.missing == ["P-00000 (_id 0)"], "\(balance.missing)")
        let verified = try project.energize("verify")
        #expect(verified.status == 1 && verified.output.contains("parts: in the table, gone from MongoDB (a merge load keeps the rows of deleted documents): P-00002 (_id 2), P-00003 (_id 3)"),
                "\(verified.output)")
        #expect(verified.output.contains("… (\(count - 1) in all)"), "\(verified.output)")
        // A stream whose collection is empty (its table has no `_id` column): nothing on either side.
        #expect(verified.output.range(of: #"ghosts\s+0\s+0\s+0\s+0\s+0\s+0\s+ok"#, options: .regularExpression) != nil, "\(verified.output)")
    }
}
