import EnergizeCore
import Foundation

/// A pipeline's PostgreSQL advisory locks, one family per pipeline: a lock per stream (held
/// by whatever loads the stream) and one for the transform (held by whatever builds or tests
/// models). A whole-pipeline run holds all of them, `run --streams a` only `a`'s, `transform`
/// only the transform's — so fanned-out stream loads run in parallel while nothing that
/// touches the same tables overlaps.
///
/// The locks live on a connection of their own for the run's whole duration; a watchdog
/// checks every second that the connection (and so the locks) is still there and calls
/// `onLost` when it is not. Loads check the lock again inside their transaction before they
/// commit (``PGSinkSettings/lockHolder``), so a run whose lock was lost never commits.
package final class PipelineLock: @unchecked Sendable {
    // @unchecked Sendable: `connection` is only used under `lock`; the rest is immutable.
    private let lock = NSLock()
    private let connection: PGConnection
    private var released = false
    private var watchdog: Thread?
    /// The locked pipeline.
    package let pipeline: String
    /// The names of the locks held (`<pipeline>:stream:<name>`, `<pipeline>:transform`).
    package let names: [String]
    /// The PostgreSQL backend that holds the locks.
    package let backendPID: Int32

    /// The name of the lock of one stream of `pipeline`.
    package static func streamLock(_ pipeline: String, _ stream: String) -> String { "\(pipeline):stream:\(stream)" }

    /// The name of the transform lock of `pipeline`.
    package static func transformLock(_ pipeline: String) -> String { "\(pipeline):transform" }

    /// Takes the locks, in name order (so two runs never wait for each other in a circle), or
    /// explains who holds the first that is taken.
    /// - Parameters:
    ///   - connectionString: the database the locks live in.
    ///   - pipeline: the pipeline.
    ///   - streams: the streams whose locks to take.
    ///   - transform: whether to take the transform lock.
    ///   - waitSeconds: nil to fail at once when another run holds a lock; else how long to wait.
    ///   - onWait: told once who holds a lock when waiting starts.
    ///   - onLost: called (once, from the watchdog's thread) when the lock connection is gone.
    /// - Throws: `EnergizeError` with code `.locked` naming the holder (application, backend pid, since when).
    package init(connectionString: String, pipeline: String, streams: [String], transform: Bool, waitSeconds: Double? = nil,
                 onWait: (String) -> Void = { _ in }, onLost: @escaping @Sendable () -> Void = {}) throws {
        self.pipeline = pipeline
        names = (streams.map { Self.streamLock(pipeline, $0) } + (transform ? [Self.transformLock(pipeline)] : [])).sorted()
        connection = try PGConnection(connectionString)
        let host = ProcessInfo.processInfo.hostName
        try connection.execute("SELECT set_config('application_name', $1, false)",
                               [String("energize \(pipeline) lock pid \(getpid()) on \(host)".prefix(63))])
        backendPID = Int32(try connection.execute("SELECT pg_backend_pid()").scalar ?? "0") ?? 0
        let deadline = waitSeconds.map { Date().addingTimeInterval($0) }
        var told = false
        for name in names {
            while try connection.execute("SELECT pg_try_advisory_lock(hashtext('energize'), hashtext($1))", [name]).scalar != "t" {
                let holder = try Self.holder(connection, lock: name)
                guard let deadline, Date() < deadline else {
                    connection.close()
                    throw EnergizeError(.locked, "pipeline \(pipeline) is already running: the lock \(name) is held by \(holder)",
                                        context: ["pipeline": pipeline, "lock": name], retryability: .transient)
                }
                if !told {
                    onWait("pipeline \(pipeline) is locked (\(name)) by \(holder); waiting")
                    told = true
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        let thread = Thread { [weak self] in self?.watch(onLost) }
        thread.name = "energize lock watchdog"
        watchdog = thread
        thread.start()
    }

    deinit {
        lock.withLock { connection.close() }
    }

    /// Whether the locks are still held: asks their connection (it answers only while its
    /// session, and so the locks, lives).
    package func stillHeld() -> Bool {
        lock.withLock { !released && (try? connection.execute("SELECT 1")) != nil }
    }

    /// Releases the locks.
    package func release() {
        lock.withLock {
            guard !released else { return }
            released = true
            for name in names.reversed() {
                _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('energize'), hashtext($1))", [name])
            }
            connection.close()
        }
    }

    /// Polls the lock connection until the locks are released or lost.
    private func watch(_ onLost: @Sendable () -> Void) {
        while true {
            Thread.sleep(forTimeInterval: 1)
            let state: Bool? = lock.withLock {
                if released { return nil }
                return (try? connection.execute("SELECT 1")) != nil
            }
            guard let alive = state else { return }
            if !alive {
                onLost()
                return
            }
        }
    }

    /// Who holds lock `name`: application, backend, address, since when.
    static func holder(_ connection: PGConnection, lock name: String) throws -> String {
        let row = try connection.execute("""
            SELECT a.application_name, a.pid, coalesce(a.client_addr::text, 'local socket'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = hashtext('energize')::oid AND l.objid = hashtext($1)::oid
              AND l.objsubid = 2
            """, [name]).rows.first
        guard let row else { return "another session (it has just ended)" }
        return "'\(row[0] ?? "?")' (PostgreSQL backend \(row[1] ?? "?") from \(row[2] ?? "?"), connected since \(row[3] ?? "?") UTC)"
    }

    /// The statements a load runs inside its transaction just before it commits: wait for any
    /// other commit of the same stream, then check that backend `holder` still holds the
    /// stream's lock. Returns the number of such locks (1 when held, 0 when lost).
    static func fence(lock name: String, holder: Int32) -> [(sql: String, parameters: [String?])] {
        [("SELECT pg_advisory_xact_lock(hashtext('energize commit'), hashtext($1))", [name]),
         ("""
          SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $2::integer
            AND classid = hashtext('energize')::oid AND objid = hashtext($1)::oid AND objsubid = 2
          """, [name, String(holder)])]
    }
}
