import EnergizeTech
import Foundation
import PGSink
import Testing

/// What energize says happened is what happened, under faults: a lost lock stops the run
/// before anything more commits; SIGTERM during a transform cancels the running statement and
/// records `stopped`; a killed transform is `abandoned`, never `succeeded`.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct RunTruthTests {
    /// A project whose one table takes a minute to build (so a stop has a statement to cancel).
    func slowProject(_ pipeline: String) throws -> TemporaryProject {
        let project = try TemporaryProject(pipeline, "pipeline: \(pipeline)\n")
        try project.write("models/slow.sql", "-- energize: materialized=table\nSELECT 1 AS x FROM pg_sleep(60)\n")
        try project.write("models/quick.sql", "SELECT 1 AS y\n")
        return project
    }

    /// Starts `energize transform` in a slow project and waits until its slow model runs.
    func slowTransform(_ pipeline: String) throws -> (TemporaryProject, PGConnection, EnergizeBinary.Running) {
        let project = try slowProject(pipeline)
        let connection = try PGConnection(try LiveServers.pgURI())
        let running = try EnergizeBinary.start(["transform"], in: project.folder)
        try waitForSlowStatement(connection)
        return (project, connection, running)
    }

    /// Waits (up to 20 s) until a backend runs the slow model's statement.
    func waitForSlowStatement(_ connection: PGConnection) throws {
        for _ in 0..<100 {
            if try connection.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%FROM pg_sleep(60)%' AND pid <> pg_backend_pid()").scalar != "0" { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("the slow model never started")
    }

    func cancelLeftoverSleeps(_ connection: PGConnection) {
        _ = try? connection.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%FROM pg_sleep(60)%' AND pid <> pg_backend_pid()")
    }

    @Test func sigtermDuringATransformCancelsTheRunningStatementAndRecordsStopped() throws {
        let (project, connection, running) = try slowTransform("it_stop")
        defer {
            cancelLeftoverSleeps(connection)
            connection.close()
        }
        // Every session says whose it is.
        #expect(try connection.execute("""
            SELECT application_name FROM pg_stat_activity WHERE query LIKE '%FROM pg_sleep(60)%' AND pid <> pg_backend_pid()
            """).rows == [["energize it_stop transform"]])
        #expect(try connection.execute("""
            SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'energize it_stop lock pid %'
            """).scalar == "1")
        let signalled = Date()
        running.send(SIGTERM)
        let (status, output) = running.wait()
        #expect(status == 6, "\(output)")
        #expect(Date().timeIntervalSince(signalled) < 30, "the stop waited for the statement instead of cancelling it")
        #expect(output.contains("stopped on request during the transform"), "\(output)")
        #expect(try connection.execute("SELECT status FROM it_stop_meta.runs").rows == [["stopped"]])
        #expect(try connection.execute("SELECT status FROM it_stop_meta.model_runs WHERE model = 'slow'").rows == [["stopped"]])
        #expect(try connection.execute("SELECT to_regclass('it_stop_warehouse.slow') IS NULL").scalar == "t", "the cancelled build rolled back")
        #expect(try project.energize("status").output.contains("STOPPED"))
    }

    @Test func aKilledTransformIsAbandonedNeverSucceeded() throws {
        let (project, connection, running) = try slowTransform("it_killed")
        defer {
            cancelLeftoverSleeps(connection)
            connection.close()
        }
        running.send(SIGKILL)
        _ = running.wait()
        cancelLeftoverSleeps(connection)
        // The lock's backend goes when the process does; wait for PostgreSQL to notice.
        for _ in 0..<50 where try connection.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'energize it_killed lock %'").scalar != "0" {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let status = try project.energize("status", "--json").output
        #expect(status.contains("\"status\" : \"abandoned\""), "\(status)")
        #expect(!status.contains("\"status\" : \"succeeded\""), "\(status)")
        // The next run records it as abandoned for good, and runs.
        try project.write("models/slow.sql", "SELECT 1 AS x\n")
        #expect(try project.energize("transform").status == 0)
        #expect(try connection.execute("SELECT run_id, status FROM it_killed_meta.runs ORDER BY run_id").rows == [["1", "abandoned"], ["2", "succeeded"]])
    }

    @Test func aLostLockStopsTheRunBeforeAnythingElseCommits() throws {
        let database = "it_lostlock"
        _ = try LiveServers.freshCollections(database, ["customers", "products", "stores", "sales", "transactions"])
        try SourceSeeder(uri: try LiveServers.mongoURI(), database: database).seed(SyntheticData(size: .init(customers: 300, sales: 6_000), seed: 4))
        let project = try TemporaryProject("it_lostlock", """
            pipeline: it_lostlock
            source: {database: \(database)}
            streams: [{name: customers}, {name: products}, {name: stores}, {name: sales}, {name: transactions}]
            transform: {enabled: false}
            concurrency: 1
            batch_size: 200
            """)
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let running = try EnergizeBinary.start(["run"], in: project.folder)
        var terminated: String?
        for _ in 0..<100 {
            terminated = try connection.execute("""
                SELECT clock_timestamp()::text FROM pg_stat_activity
                WHERE application_name LIKE 'energize it_lostlock lock %' AND pg_terminate_backend(pid)
                """).scalar
            if terminated != nil { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let (status, output) = running.wait()
        let killedAt = try #require(terminated, "the run's lock never appeared")
        #expect(status == 1, "\(output)")
        #expect(output.contains("the run's lock was lost"), "\(output)")
        #expect(try connection.execute("SELECT status FROM it_lostlock_meta.runs WHERE run_id = 1").scalar == "failed")
        #expect(try connection.execute("""
            SELECT count(*) FROM it_lostlock_meta.stream_runs WHERE status = 'succeeded' AND finished_at > $1::timestamptz
            """, [killedAt]).scalar == "0", "a stream committed after its lock was lost")
        // The next run takes the lock and completes every stream.
        let next = try project.energize("run", "--quiet")
        #expect(next.status == 0, "\(next.output)")
    }
}
