import EnergizeCore
import Foundation

/// A PostgreSQL advisory lock per pipeline, so two runs of one pipeline (two schedulers, or a
/// scheduler and a manual run) never overlap. Held on a connection of its own for the run's
/// whole duration; released by `release()` or when the process ends.
package final class PipelineLock {
    private let connection: PGConnection
    /// The locked pipeline.
    package let pipeline: String

    /// Takes the lock, or explains who holds it.
    /// - Parameters:
    ///   - connectionString: the database the lock lives in.
    ///   - pipeline: the pipeline to lock.
    ///   - waitSeconds: nil to fail at once when another run holds the lock; else how long to wait.
    ///   - onWait: told once who holds the lock when waiting starts.
    /// - Throws: `EnergizeError` with code `.locked` naming the holder (application, backend pid, since when).
    package init(connectionString: String, pipeline: String, waitSeconds: Double? = nil,
                onWait: (String) -> Void = { _ in }) throws {
        self.pipeline = pipeline
        connection = try PGConnection(connectionString)
        let host = ProcessInfo.processInfo.hostName
        try connection.execute("SELECT set_config('application_name', $1, false)",
                               [String("energize \(pipeline) pid \(getpid()) on \(host)".prefix(63))])
        let deadline = waitSeconds.map { Date().addingTimeInterval($0) }
        var told = false
        while try connection.execute("SELECT pg_try_advisory_lock(hashtext('energize'), hashtext($1))", [pipeline]).scalar != "t" {
            let holder = try Self.holder(connection, pipeline: pipeline)
            guard let deadline, Date() < deadline else {
                connection.close()
                throw EnergizeError(.locked, "pipeline \(pipeline) is already running: the lock is held by \(holder)",
                                    context: ["pipeline": pipeline], retryability: .transient)
            }
            if !told {
                onWait("pipeline \(pipeline) is locked by \(holder); waiting")
                told = true
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }

    deinit {
        connection.close()
    }

    /// Releases the lock.
    package func release() {
        _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('energize'), hashtext($1))", [pipeline])
        connection.close()
    }

    static func holder(_ connection: PGConnection, pipeline: String) throws -> String {
        let row = try connection.execute("""
            SELECT a.application_name, a.pid, coalesce(a.client_addr::text, 'local socket'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = hashtext('energize')::oid AND l.objid = hashtext($1)::oid
            """, [pipeline]).rows.first
        guard let row else { return "another session (it has just ended)" }
        return "'\(row[0] ?? "?")' (PostgreSQL backend \(row[1] ?? "?") from \(row[2] ?? "?"), connected since \(row[3] ?? "?") UTC)"
    }
}
