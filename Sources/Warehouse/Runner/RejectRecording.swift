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

    /// Makes the model's rows the current rejects it records: rows still listed keep the run that
    /// first recorded them and get this run as their last, new ones are added, and rows the
    /// view no longer lists (the document was fixed or is gone) are removed.
    /// - Parameters:
    ///   - model: a model with ``Model/rejectsOf`` set; its rows have `document_id`, `reason`, `document`.
    ///   - executor: the warehouse connection.
    ///   - runId: the run they are recorded under.
    /// - Returns: how many rows were recorded for the first time now.
    @discardableResult
    public func record(_ model: Model, on executor: any SQLExecutor, runId: Int64) throws -> Int {
        guard let collection = model.rejectsOf else { return 0 }
        let parameters: [String?] = [String(runId), collection, "model " + model.name]
        return try executor.inTransaction {
            try executor.run("""
                CREATE TEMP TABLE energize_model_rejects ON COMMIT DROP AS
                SELECT DISTINCT ON (document_id, reason) document_id, reason, document FROM \(model.relation) ORDER BY document_id, reason
                """, [])
            try executor.run("""
                DELETE FROM \(rejectsTable) x WHERE x.collection = $1::text AND x.origin = $2::text AND NOT EXISTS
                  (SELECT 1 FROM energize_model_rejects r WHERE r.document_id IS NOT DISTINCT FROM x.document_id AND r.reason = x.reason)
                """, [collection, "model " + model.name])
            try executor.run("""
                UPDATE \(rejectsTable) x SET last_run_id = $1::bigint, run_id = $1::bigint
                WHERE x.collection = $2::text AND x.origin = $3::text
                """, parameters)
            let rows = try executor.run("""
                WITH new AS (
                  INSERT INTO \(rejectsTable) (run_id, collection, document_id, reason, document, first_run_id, last_run_id, origin)
                  SELECT $1::bigint, $2::text, r.document_id, r.reason, r.document, $1::bigint, $1::bigint, $3::text FROM energize_model_rejects r
                  WHERE NOT EXISTS (SELECT 1 FROM \(rejectsTable) x WHERE x.collection = $2::text AND x.origin = $3::text
                    AND x.document_id IS NOT DISTINCT FROM r.document_id AND x.reason = r.reason)
                  RETURNING 1)
                SELECT count(*) FROM new
                """, parameters)
            return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
        }
    }
}
