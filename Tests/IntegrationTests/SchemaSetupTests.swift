import EnergizeCore
import Foundation
@testable import PGSink
import Testing
import Warehouse

/// energize's own tables are created once: a run that starts beside another run's load takes no
/// lock on them (Airflow's parallel load tasks deadlocked on `ALTER TABLE … IF NOT EXISTS`).
@Suite(.enabled(if: LiveServers.enabled)) struct SchemaSetupTests {
    /// The warehouse URI with a lock timeout: a statement that waits for a table lock fails instead of waiting.
    func impatient() throws -> String {
        let uri = try LiveServers.pgURI()
        return uri + (uri.contains("?") ? "&" : "?") + "options=-c%20lock_timeout%3D3000"
    }

    @Test func aRunStartingBesideAnotherRunsLoadTakesNoLockOnTheHistory() throws {
        let (raw, meta) = ("it_setup_raw", "it_setup_meta")
        let connection = try LiveServers.freshSchemas([raw, meta])
        defer { connection.close() }
        let settings = PGSinkSettings(rawSchema: raw, metaSchema: meta)
        try PGSink(connectionString: try LiveServers.pgURI(), settings: settings).prepare()
        try WarehouseMeta(schema: meta).create(connection)

        // Another run's load and transform hold their tables, as in their transactions.
        let other = try PGConnection(try LiveServers.pgURI())
        defer { other.close() }
        try other.execute("BEGIN")
        for table in [(meta, "runs"), (meta, "stream_runs"), (meta, "relation_changes"), (meta, "model_state"), (meta, "test_results"), (raw, "_rejects")] {
            try other.execute("LOCK TABLE \(SQLIdentifier.qualified(table.0, table.1)) IN ROW EXCLUSIVE MODE")
        }
        try PGSink(connectionString: try impatient(), settings: settings).prepare()
        let starting = try PGConnection(try impatient())
        defer { starting.close() }
        try WarehouseMeta(schema: meta).create(starting)
        try other.execute("ROLLBACK")

        // What was dropped by hand is created again: a table, the marks' trigger function.
        try connection.execute("DROP TABLE \(SQLIdentifier.qualified(raw, "_rejects"))")
        try connection.execute("DROP FUNCTION \(SQLIdentifier.qualified(meta, "mark_relation_change"))() CASCADE")
        try PGSink(connectionString: try LiveServers.pgURI(), settings: settings).prepare()
        #expect(try connection.execute("SELECT to_regclass('it_setup_raw._rejects_document_idx') IS NOT NULL").scalar == "t")
        #expect(try connection.execute("SELECT to_regprocedure('it_setup_meta.mark_relation_change()') IS NOT NULL").scalar == "t")
    }

    @Test func changedStatementsRunAgainOnceAndCurrentOnesDoNot() throws {
        let meta = "it_setup_changed"
        let connection = try LiveServers.freshSchemas([meta])
        defer { connection.close() }
        let table = SQLIdentifier.qualified(meta, "t")
        var setup = SchemaSetup(metaSchema: meta, statements: ["CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(meta))",
                                                               "CREATE TABLE IF NOT EXISTS \(table) (a integer)"],
                                relations: [table])
        #expect(try connection.transaction { try setup.apply(connection) })
        #expect(try !connection.transaction { try setup.apply(connection) })
        // A newer energize adds a column: its statements run once.
        setup.statements.append("ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS b integer")
        #expect(try connection.transaction { try setup.apply(connection) })
        #expect(try !connection.transaction { try setup.apply(connection) })
        #expect(try connection.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = 't'", [meta]).scalar == "2")
        // An older energize's statements, recorded too, still find everything current.
        setup.statements.removeLast()
        #expect(try !connection.transaction { try setup.apply(connection) })
    }

    @Test func aSetupThatRunsBesideAWriterWaitsForItInsteadOfDeadlocking() throws {
        let meta = "it_setup_order"
        let connection = try LiveServers.freshSchemas([meta])
        defer { connection.close() }
        let (first, second) = (SQLIdentifier.qualified(meta, "first"), SQLIdentifier.qualified(meta, "second"))
        var setup = SchemaSetup(metaSchema: meta, statements: ["CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(meta))",
                                                               "CREATE TABLE IF NOT EXISTS \(first) (a integer)",
                                                               "CREATE TABLE IF NOT EXISTS \(second) (a integer)"],
                                relations: [first, second])
        try connection.transaction { _ = try setup.apply(connection) }
        // A newer energize alters the second table, then the first; a writer holds the first and then writes the second.
        setup.statements += ["ALTER TABLE \(second) ADD COLUMN IF NOT EXISTS b integer", "ALTER TABLE \(first) ADD COLUMN IF NOT EXISTS b integer"]
        let uri = try LiveServers.pgURI()
        let (holding, finished) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let outcome = WriterOutcome()
        Thread {
            do {
                let writer = try PGConnection(uri)
                defer { writer.close() }
                try writer.execute("BEGIN")
                try writer.execute("INSERT INTO \(first) (a) VALUES (1)")
                holding.signal()
                // Once the setup waits for the first table (the writer holds it).
                Thread.sleep(forTimeInterval: 0.5)
                try writer.execute("INSERT INTO \(second) (a) VALUES (1)")
                try writer.execute("COMMIT")
                outcome.text = "committed"
            } catch {
                outcome.text = "failed: \(error)"
                holding.signal()
            }
            finished.signal()
        }.start()
        holding.wait()
        #expect(try connection.transaction { try setup.apply(connection) })
        finished.wait()
        #expect(outcome.text == "committed")
        #expect(try connection.execute("SELECT count(*) FROM \(second)").scalar == "1")
    }
}

/// What the writer thread of a test ended with.
final class WriterOutcome: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: String?
    var text: String? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
