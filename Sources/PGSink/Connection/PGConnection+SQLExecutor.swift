import EnergizeCore

extension PGConnection: SQLExecutor {
    /// See `SQLExecutor.run(_:_:)`.
    @discardableResult
    public func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        try execute(sql, parameters).rows
    }

    /// See `SQLExecutor.runCountingWrites(_:_:)`: the command tag's count (`PQcmdTuples`).
    public func runCountingWrites(_ sql: String, _ parameters: [String?]) throws -> Int {
        try execute(sql, parameters).affectedRows
    }
}
