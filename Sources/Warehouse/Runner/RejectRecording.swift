import EnergizeCore

/// Records the rows of a model that lists untypable documents (``Model/rejectsOf``) in the raw
/// schema's `_rejects`, once per document and reason, so those documents are never lost
/// silently while the rest of their rows build.
///
/// A listing's `document_id` is meant to be its collection's `_id` as text, as in `_rejects`.
/// When every row's is, the next recording looks again only at the documents loaded since (the
/// raw rows with a later `_run_id`) and at the recorded ones that left the raw table, instead of
/// every document: what the listing reads whole otherwise (every sale's items) is read for the
/// day's documents. It reads the listing whole again when its definition changed, when the raw
/// table was written outside energize since (`ChangeMarks.outsideVersion` (EnergizeCore)),
/// on a full refresh, and always when a `document_id` was not a raw `_id`.
public struct RejectRecording: Sendable {
    /// The raw schema: its `_rejects` and the listed collection's raw table.
    public var rawSchema: String
    /// Where what each recording saw is kept.
    public var meta: WarehouseMeta

    /// A recorder writing into one raw schema's `_rejects`.
    /// - Parameters:
    ///   - rawSchema: the raw schema (unquoted), holding `_rejects` and the raw tables.
    ///   - meta: the meta schema's history, where each recording's state is kept.
    public init(rawSchema: String, meta: WarehouseMeta = WarehouseMeta()) {
        self.rawSchema = rawSchema
        self.meta = meta
    }

    /// The quoted `_rejects` relation.
    public var rejectsTable: String { SQLIdentifier.qualified(rawSchema, "_rejects") }

    /// Whether the model's last build is newer than its last recording (the run stopped, or the
    /// recording failed, between the two): its rows are then to be recorded though it is unchanged.
    /// - Parameters:
    ///   - model: a model with ``Model/rejectsOf`` set.
    ///   - executor: the warehouse connection.
    public func isBehind(_ model: Model, on executor: any SQLExecutor) throws -> Bool {
        guard model.rejectsOf != nil, let built = try meta.buildState(executor, model: model.name) else { return false }
        guard let recorded = try meta.rejectRecordingState(executor, model: model.name) else { return true }
        return recorded.runId < built.runId
    }

    /// Makes the model's rows the current rejects it records: rows still listed keep the run that
    /// first recorded them and get this run as their last, new ones are added, and rows the
    /// view no longer lists (the document was fixed or is gone) are removed.
    /// - Parameters:
    ///   - model: a model with ``Model/rejectsOf`` set; its rows have `document_id`, `reason`, `document`.
    ///   - executor: the warehouse connection.
    ///   - runId: the run they are recorded under.
    ///   - fullRefresh: read the whole listing, whatever the last recording saw.
    /// - Returns: how many rows were recorded for the first time now.
    @discardableResult
    public func record(_ model: Model, on executor: any SQLExecutor, runId: Int64, fullRefresh: Bool = false) throws -> Int {
        guard let collection = model.rejectsOf else { return 0 }
        if try executor.scalar("SELECT to_regclass($1) IS NULL", [meta.rejectRecordings]) == "t" { try meta.create(executor) }
        let raw = SQLIdentifier.qualified(rawSchema, collection)
        let origin = "model " + model.name
        let parameters: [String?] = [String(runId), collection, origin]
        return try executor.inTransaction {
            for setting in BuildSettings.inTransaction { try executor.run(setting, []) }
            let last = try meta.rejectRecordingState(executor, model: model.name)
            let fingerprint = Fingerprint.of(model.definition)
            let outside = try meta.marks.outsideVersion(executor, schema: rawSchema, table: collection)
            let tracked = try executor.scalar("""
                SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname IN ('_id', '_run_id') AND NOT attisdropped
                """, [raw]) == "t"
            let changedOnly = !fullRefresh && tracked && last.map {
                $0.byDocument && $0.fingerprint == fingerprint && $0.outsideVersion == outside
            } == true
            if let last, changedOnly {
                // The documents loaded since the last recording; the listing's rows of those only.
                try executor.run("""
                    CREATE TEMP TABLE energize_changed_documents ON COMMIT DROP AS
                    SELECT DISTINCT t."_id"::text AS document_id FROM \(raw) t WHERE t."_run_id" > $1::bigint
                    """, [String(last.runId)])
                try executor.run("ANALYZE energize_changed_documents", [])
                try executor.run("""
                    CREATE TEMP TABLE energize_model_rejects ON COMMIT DROP AS
                    SELECT DISTINCT ON (document_id, reason) document_id, reason, document FROM \(model.relation)
                    WHERE document_id IN (SELECT c.document_id FROM energize_changed_documents c) ORDER BY document_id, reason
                    """, [])
                // Gone: recorded rows of a changed document it no longer lists, and of documents no longer
                // in the raw table (a hash anti-join over the raw table's ids, never a scan per row);
                // nothing to look for when none is recorded.
                let recorded = try executor.scalar("SELECT EXISTS (SELECT 1 FROM \(rejectsTable) WHERE collection = $1::text AND origin = $2::text)",
                                                   [collection, origin]) == "t"
                try executor.run("SET LOCAL enable_nestloop = off", [])
                if recorded { try executor.run("""
                    DELETE FROM \(rejectsTable) x WHERE x.collection = $1::text AND x.origin = $2::text AND (
                      (x.document_id IN (SELECT c.document_id FROM energize_changed_documents c) AND NOT EXISTS
                        (SELECT 1 FROM energize_model_rejects r WHERE r.document_id = x.document_id AND r.reason = x.reason))
                      OR NOT EXISTS (SELECT 1 FROM \(raw) t WHERE t."_id"::text = x.document_id))
                    """, [collection, origin]) }
                try executor.run("SET LOCAL enable_nestloop = on", [])
            } else {
                try executor.run("""
                    CREATE TEMP TABLE energize_model_rejects ON COMMIT DROP AS
                    SELECT DISTINCT ON (document_id, reason) document_id, reason, document FROM \(model.relation) ORDER BY document_id, reason
                    """, [])
                try executor.run("""
                    DELETE FROM \(rejectsTable) x WHERE x.collection = $1::text AND x.origin = $2::text AND NOT EXISTS
                      (SELECT 1 FROM energize_model_rejects r WHERE r.document_id IS NOT DISTINCT FROM x.document_id AND r.reason = x.reason)
                    """, [collection, origin])
            }
            // Whether the next recording may look at changed documents only: every listed row names a raw `_id`.
            let byDocument = try changedOnly || tracked && executor.scalar("""
                SELECT NOT EXISTS (SELECT 1 FROM energize_model_rejects r
                  WHERE r.document_id IS NULL OR NOT EXISTS (SELECT 1 FROM \(raw) t WHERE t."_id"::text = r.document_id))
                """, []) == "t"
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
            try meta.recordRejectRecording(executor, model: model.name, .init(runId: runId, fingerprint: fingerprint,
                                                                                outsideVersion: outside, byDocument: byDocument))
            return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
        }
    }
}
