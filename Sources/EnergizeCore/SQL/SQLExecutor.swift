/// Runs SQL inside the warehouse database; `PGSink`'s connection implements it.
///
/// The transform layer only assembles and orders SQL: set-based statements run inside the
/// database, and no warehouse row passes through the process. Not `Sendable`: one thread
/// uses an executor at a time.
public protocol SQLExecutor: AnyObject {
    /// Runs one statement with text parameters (`$1`, `$2`, …); returns the rows as text.
    /// - Parameters:
    ///   - sql: the statement; values go in parameters, never in its text.
    ///   - parameters: the text of each parameter, nil for SQL NULL.
    /// - Returns: the result rows, each value as text or nil for NULL.
    @discardableResult
    func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]]
    /// Runs one statement that writes rows and returns how many it wrote, as the server counts
    /// them (`INSERT`, `UPDATE`, `DELETE`, `CREATE TABLE AS`, `COPY`): no second scan to count them.
    /// - Parameters:
    ///   - sql: the statement; values go in parameters, never in its text.
    ///   - parameters: the text of each parameter, nil for SQL NULL.
    /// - Returns: the rows written.
    func runCountingWrites(_ sql: String, _ parameters: [String?]) throws -> Int
    /// Closes the connection.
    func close()
    /// Asks the server to cancel the statement running now, from any thread (PostgreSQL's
    /// `PQcancel`); the statement then fails and its transaction rolls back. Does nothing
    /// when no statement runs.
    func cancel()
}

extension SQLExecutor {
    /// Executors that cannot cancel do nothing.
    public func cancel() {}

    /// Executors that do not count written rows say so when asked (a table model's build asks).
    /// (A protocol extension's default: a subclass of a conforming class that adds its own
    /// `runCountingWrites` is not called through the protocol; implement it in the conforming class.)
    /// - Throws: always: `EnergizeError` saying the executor does not count written rows.
    public func runCountingWrites(_ sql: String, _ parameters: [String?]) throws -> Int {
        throw EnergizeError(.sinkFailed, "\(type(of: self)) does not count the rows a statement writes: implement SQLExecutor.runCountingWrites to build table models with it",
                            retryability: .terminal)
    }
}

extension SQLExecutor {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    /// - Parameter body: the work; it runs its statements on this executor.
    /// - Returns: what `body` returns.
    /// - Throws: the error of `body`, or of `BEGIN` or `COMMIT`.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN", [])
        do {
            let value = try body()
            try run("COMMIT", [])
            return value
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    /// The first column of the first row of a query.
    /// - Parameters:
    ///   - sql: the query.
    ///   - parameters: the text of each parameter, nil for SQL NULL.
    /// - Returns: the value as text; nil for NULL or no row.
    public func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try run(sql, parameters).first?.first ?? nil
    }
}
