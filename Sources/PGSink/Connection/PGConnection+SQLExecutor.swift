import EnergizeCore

extension PGConnection: SQLExecutor {
    @discardableResult
    public func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        try execute(sql, parameters).rows
    }
}
