/// Runs SQL inside the warehouse database; `PGSink`'s connection implements it.
///
/// The transform layer only assembles and orders SQL: set-based statements run inside the
/// database, and no warehouse row passes through the process. Not `Sendable`: one thread
/// uses an executor at a time.
public protocol SQLExecutor: AnyObject {
    /// Runs one statement with text parameters (`$1`, `$2`, …); returns the rows as text.
    @discardableResult
    func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]]
    /// Closes the connection.
    func close()
}

extension SQLExecutor {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
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
    public func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try run(sql, parameters).first?.first ?? nil
    }
}
