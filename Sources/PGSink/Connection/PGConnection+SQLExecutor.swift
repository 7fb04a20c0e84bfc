import EnergizeCore

extension PGConnection: SQLExecutor {
    /// See `SQLExecutor.run(_:_:)`.
    @discardableResult
    public func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        try execute(sql, parameters).rows
    }
}
