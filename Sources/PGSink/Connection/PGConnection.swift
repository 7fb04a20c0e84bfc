internal import CLibPQ
import EnergizeCore
import Foundation

/// One PostgreSQL connection, owning its `PGconn`.
///
/// Not thread-safe: one thread uses a connection at a time. Close it explicitly; `deinit`
/// closes a connection that was forgotten.
public final class PGConnection {
    var handle: OpaquePointer?
    /// libpq's cancel handle (`PGcancel`), used from other threads under `cancelLock`.
    private var cancelHandle: OpaquePointer?
    private let cancelLock = NSLock()
    /// The connection string with any password masked, safe to print.
    public let redactedConnectionString: String

    /// Connects, blocking until the server answers.
    /// - Parameters:
    ///   - connectionString: a `postgresql://` URI or `key=value` string.
    ///   - applicationName: what `pg_stat_activity` shows for the session
    ///     (`energize <pipeline> stream <name>`), cut to PostgreSQL's 63 bytes.
    /// - Throws: `PGError` with code `.connectionFailed` (transient unless it is authentication).
    public init(_ connectionString: String, applicationName: String = "energize") throws {
        redactedConnectionString = Redaction.redact(connectionString)
        let conn = PQconnectdb(connectionString)
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(conn)
            // libpq repeats a string it cannot parse, password and all.
            throw PGError(.connectionFailed,
                          message: "cannot connect to \(Redaction.redact(connectionString)): \(Redaction.scrub(message, connectionString: connectionString))")
        }
        handle = conn
        cancelHandle = PQgetCancel(conn)
        _ = try execute("SET client_min_messages = warning")
        _ = try execute("SELECT set_config('application_name', $1, false)", [String(applicationName.utf8.prefix(63)) ?? "energize"])
    }

    deinit {
        cancelLock.withLock { if let cancelHandle { PQfreeCancel(cancelHandle) } }
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection; further use throws.
    public func close() {
        cancelLock.withLock {
            if let cancelHandle { PQfreeCancel(cancelHandle) }
            cancelHandle = nil
        }
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Asks the server to cancel the statement running on this connection; safe from any
    /// thread (libpq's `PQcancel`). The statement then fails with SQLSTATE 57014.
    public func cancel() {
        cancelLock.withLock {
            guard let cancelHandle else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
        }
    }

    func connection() throws -> OpaquePointer {
        guard let handle else { throw PGError(.connectionLost, message: "the connection is closed") }
        return handle
    }

    /// Runs one statement with text parameters (`$1`, `$2`, …); values never enter the SQL text.
    /// - Parameters:
    ///   - sql: the statement.
    ///   - parameters: the text of each parameter, `nil` for SQL NULL.
    /// - Returns: the result rows as text.
    /// - Throws: `PGError` with the server's message and SQLSTATE.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> PGResult {
        let conn = try connection()
        let result: OpaquePointer? = withCStrings(parameters) { pointers in
            PQexecParams(conn, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try PGResult.check(result, connection: conn, sql: sql)
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    /// - Parameter body: the work; it runs its statements on this connection.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Whether the connection still works as far as libpq knows.
    public var isHealthy: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }
}

/// Calls `body` with C strings for `strings` (nil stays NULL), valid during the call.
func withCStrings<T>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let duplicates = strings.map { $0.map { strdup($0)! } }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { $0.map { UnsafePointer($0) } })
}
