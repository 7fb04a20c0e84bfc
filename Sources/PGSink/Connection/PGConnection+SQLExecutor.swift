import EnergizeCore

extension PGConnection: SQLExecutor {
    @discardableResult
    /// See `SQLExecutor.run(_:_:)`.
    public func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        try execute(sql, parameters).rows
    }
}
