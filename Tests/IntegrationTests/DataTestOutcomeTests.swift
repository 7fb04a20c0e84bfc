import Foundation
import PGSink
import Testing

/// A data test whose query cannot run (a column that is not there) is an error of the project,
/// not offending data: `ERROR`, exit 1, recorded as `error` with PostgreSQL's message, and
/// `status` says it could not run.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct BrokenDataTestTests {
    @Test func aTestThatCannotRunIsAnErrorNotAFailure() throws {
        let project = try TemporaryProject("it_badtest", files: ["models/m.sql": "-- energize: materialized=table\nSELECT 1 AS x\n", "models/schema.yml": """
            models:
              - name: m
                columns:
                  - name: x
                    tests: [not_null]
                  - name: typo
                    tests: [not_null]

            """])
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
        let project = try TemporaryProject("it_failtests", files: [
            "models/good.sql": "-- energize: materialized=table\nSELECT 1 AS x\n", "models/bad.sql": "-- energize: materialized=table\nSELECT 1 / 0 AS y\n",
            "models/schema.yml": """
            models:
              - name: good
                columns:
                  - name: x
                    tests: [not_null, {accepted_values: {values: [2]}}, {relationships: {to: bad, field: y}}]
              - name: bad
                columns:
                  - name: y
                    tests: [not_null]

            """])
        let run = try project.energize("transform")
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("FAILED bad:") && run.output.contains("data tests: 1 of 2 passed")
                && run.output.contains("2 data tests not run: their models were not built"), "\(run.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        #expect(try connection.execute("SELECT model, status FROM it_failtests_meta.test_results ORDER BY test").rows
                == [["good", "failed"], ["good", "passed"]])
        // A healthcheck's form: exit 1 while the last finished run did not succeed.
        #expect(try project.energize("status", "--check").status == 1)
        // The docs site's first page says so before anything else.
        #expect(try project.energize("docs").status == 0)
        let index = try String(contentsOf: project.folder.appendingPathComponent("target/docs/index.html"), encoding: .utf8)
        #expect(index.contains("<p class=\"alert\"><span class=\"status bad\">failed</span> <a href=\"runs.html\">run 1</a>"), "\(index.prefix(2000))")
        let status = try project.energize("status")
        #expect(status.output.contains("not run: their models were not built") && status.output.contains("data tests: 1 passed, failed: accepted_values"),
                "\(status.output)")
    }
}
