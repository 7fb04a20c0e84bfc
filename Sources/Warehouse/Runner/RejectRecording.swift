import EnergizeCore

/// Records the rows of a model that lists untypable documents (``Model/rejectsOf``) in the raw
/// schema's `_rejects`, once per document and reason, so those documents are never lost
/// silently while the rest of their rows build.
public struct RejectRecording: Sendable {
    /// The quoted `_rejects` relation of the project's raw schema.
    public var rejectsTable: String

    /// A recorder writing into one `_rejects` table.
    /// - Parameter rejectsTable: the quoted relation of the raw schema's `_rejects`.
    public init(rejectsTable: String) {
        self.rejectsTable = rejectsTable
    }

    /// Inserts the rows of `model` not recorded yet for its collection.
    /// - Parameters:
    ///   - model: a model with ``Model/rejectsOf`` set; its rows have `document_id`, `reason`, `document`.
    ///   - executor: the warehouse connection.
    ///   - runId: the run they are recorded under.
    /// - Returns: how many rows were recorded now.
    @discardableResult
    public func record(_ model: Model, on executor: any SQLExecutor, runId: Int64) throws -> Int {
        guard let collection = model.rejectsOf else { return 0 }
        let rows = try executor.run("""
            WITH new AS (
              INSERT INTO \(rejectsTable) (run_id, collection, document_id, reason, document)
              SELECT $1::bigint, $2::text, r.document_id, r.reason, r.document FROM \(model.relation) r
              WHERE NOT EXISTS (SELECT 1 FROM \(rejectsTable) x WHERE x.collection = $2::text AND x.document_id = r.document_id
                AND x.reason = r.reason)
              RETURNING 1)
            SELECT count(*) FROM new
            """, [String(runId), collection])
        return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }
}
