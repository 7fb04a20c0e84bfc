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

/// A data test whose query cannot run (a column that is not there) is an error of the project,
/// not offending data: `ERROR`, exit 1, recorded as `error` with PostgreSQL's message, and
/// `status` says it could not run.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct BrokenDataTestTests {
    @Test func aTestThatCannotRunIsAnErrorNotAFailure() throws {
        let project = try TemporaryProject("it_badtest", "pipeline: it_badtest\n")
        try project.write("models/m.sql", "-- energize: materialized=table\nSELECT 1 AS x\n")
        try project.write("models/schema.yml", """
            models:
              - name: m
                columns:
                  - name: x
                    tests: [not_null]
                  - name: typo
                    tests: [not_null]

            """)
        for command in ["transform", "test"] {
            let run = try project.energize(command)
            #expect(run.status == 1, "\(command): \(run.output)")
            #expect(run.output.contains("ERROR not_null(m.typo) on m: the test could not run:") && run.output.contains("typo"),
                    "\(command): \(run.output)")
            #expect(!run.output.contains("offending"), "\(command): \(run.output)")
        }
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        #expect(try connection.execute("SELECT DISTINCT status FROM it_badtest_meta.test_results WHERE test = 'not_null(m.typo)'").rows == [["error"]])
        let status = try project.energize("status")
        #expect(status.output.contains("failed: not_null(m.typo) (could not run)") && status.output.contains("why: data test not_null(m.typo) could not run"),
                "\(status.output)")
    }
}

/// When a model fails, the data tests of the models that were built still run, and those of the
/// models that were not are said not to have run (in the output and the run's history).
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct TestsAfterAFailedModelTests {
    @Test func testsOfBuiltModelsRunAndTheOthersAreSaidNotToHaveRun() throws {
        let project = try TemporaryProject("it_failtests", "pipeline: it_failtests\n")
        try project.write("models/good.sql", "-- energize: materialized=table\nSELECT 1 AS x\n")
        try project.write("models/bad.sql", "-- energize: materialized=table\nSELECT 1 / 0 AS y\n")
        try project.write("models/schema.yml", """
            models:
              - name: good
                columns:
                  - name: x
                    tests: [not_null, {accepted_values: {values: [2]}}]
              - name: bad
                columns:
                  - name: y
                    tests: [not_null]

            """)
        let run = try project.energize("transform")
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("FAILED bad:") && run.output.contains("data tests: 1 of 2 passed")
                && run.output.contains("1 data test not run: their models were not built"), "\(run.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        #expect(try connection.execute("SELECT model, status FROM it_failtests_meta.test_results ORDER BY test").rows
                == [["good", "failed"], ["good", "passed"]])
        let status = try project.energize("status")
        #expect(status.output.contains("not run: their models were not built") && status.output.contains("data tests: 1 passed, failed: accepted_values"),
                "\(status.output)")
    }
}
