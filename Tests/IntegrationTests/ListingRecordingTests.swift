import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// A model listing untypable documents (`rejects_of`) is recorded in `_rejects` when it is built;
/// when a run stopped between its build and its recording, a later run records it though the
/// view itself is unchanged.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ListingRecordingTests {
    @Test func aListingWhoseRecordingIsBehindItsBuildIsRecordedWhenUnchanged() throws {
        let client = try LiveServers.freshCollections("it_listing", ["things"])
        try client.collection("things", in: "it_listing").insertMany([["_id": .string("1"), "v": .string("ok")], ["_id": .string("2"), "v": .string("bad")]])
        let project = try TemporaryProject("it_listing", """
            pipeline: it_listing
            source: {database: it_listing}
            streams: [{name: things}]
            """)
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        try project.write("models/thing_rejects.sql", """
            -- energize: materialized=view rejects_of=things
            SELECT t._id AS document_id, 'v is bad' AS reason, jsonb_build_object('v', t.v) AS document FROM {{ raw('things') }} t WHERE t.v = 'bad'

            """)
        let first = try project.energize("run")
        #expect(first.status == 0, "\(first.output)")
        #expect(try project.energize("status", "--check").status == 0)
        let recorded = "SELECT document_id, reason FROM it_listing_raw._rejects"
        #expect(try connection.execute(recorded + " WHERE origin <> 'load'").rows == [["2", "v is bad"]])

        // As a stop between the view's build and its recording leaves it: the recording a run behind.
        try connection.execute("DELETE FROM it_listing_raw._rejects")
        try connection.execute("UPDATE it_listing_meta.reject_recordings SET last_run_id = last_run_id - 1")
        let second = try project.energize("transform")
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("unchanged"), "the listing was rebuilt, not left unchanged: \(second.output)")
        #expect(try connection.execute(recorded).rows == [["2", "v is bad"]])

        // Recorded and unchanged: not recorded again (the recording stays the second run's).
        let third = try project.energize("transform")
        #expect(third.status == 0, "\(third.output)")
        #expect(try connection.execute("SELECT max(run_id) FROM it_listing_meta.runs").scalar == "3")
        #expect(try connection.execute("SELECT last_run_id FROM it_listing_meta.reject_recordings").scalar == "2")
        withExtendedLifetime(client) {}
    }
}
