import EnergizeCore

/// The statements that apply a `LoadStrategy` to a target table from a staging table.
///
/// A value that produces SQL text and does no I/O. Identifiers are quoted; values are
/// parameters: `$1` is the cutoff in `differences` and `delete`, and the run id in `insert`.
package struct LoadStatements: Sendable, Hashable {
    /// The quoted, qualified target table.
    package var target: String
    /// The quoted staging table.
    package var stage: String
    /// The loaded columns (PostgreSQL names, unquoted), in both tables.
    package var columns: [String]
    /// The strategy the statements apply.
    package var strategy: LoadStrategy
    /// Whether the run has a cutoff (an incremental stream after its first run).
    package var hasCutoff: Bool
    /// The column of each strategy field (key, cursor) when it differs from the field's name.
    package var columnNames: [String: String]
    /// Whether nothing was extracted: then no key is re-extracted and the stage may lack
    /// the key and cursor columns.
    package var stageIsEmpty: Bool
    /// The target's `_id` column, when it has one: an incremental load's window keeps the rows of
    /// documents this load rejected (in `energize_rejects`), since a rejected version never
    /// deletes a loaded one.
    package var idColumn: String?
    /// Whether an incremental load's replaced rows are found through the target's cursor and key
    /// indexes (see `replacedRowsFound`): right for a stage of up to about a hundred thousand rows.
    package var indexedWindow: Bool
    /// Whether the load replaces every row of the target, whatever the strategy (a reload of the
    /// whole collection, see `StreamConfig.reload`), but those of documents it rejected (with
    /// `idColumn`); a keyed strategy still keeps one staged row per key and leaves rows
    /// re-extracted unchanged as they are. A replace load is what it always is.
    package var reload: Bool

    /// The statements of one stream's load.
    /// - Parameters:
    ///   - target: the quoted, qualified target table.
    ///   - stage: the quoted staging table.
    ///   - columns: the loaded columns (PostgreSQL names, unquoted).
    ///   - strategy: the stream's load strategy.
    ///   - hasCutoff: whether the run has a cutoff.
    ///   - columnNames: the column of each strategy field that differs from the field's name.
    ///   - stageIsEmpty: whether nothing was extracted.
    ///   - idColumn: the target's `_id` column (PostgreSQL name), when it has one.
    ///   - indexedWindow: find an incremental load's replaced rows through the target's indexes
    ///     (a stage small beside the table).
    ///   - reload: replace every row of the target (a reload of the whole collection).
    package init(target: String, stage: String, columns: [String], strategy: LoadStrategy, hasCutoff: Bool,
                columnNames: [String: String] = [:], stageIsEmpty: Bool = false, idColumn: String? = nil, indexedWindow: Bool = false,
                reload: Bool = false) {
        self.target = target
        self.stage = stage
        self.columns = columns
        self.strategy = strategy
        self.hasCutoff = hasCutoff
        self.columnNames = columnNames
        self.stageIsEmpty = stageIsEmpty
        self.idColumn = idColumn
        self.indexedWindow = indexedWindow
        self.reload = reload
    }

    private var columnList: String { columns.map(SQLIdentifier.quote).joined(separator: ", ") }
    private func column(_ field: String) -> String { SQLIdentifier.quote(columnNames[field] ?? ColumnNaming.columnName(for: field)) }

    /// The target rows the load replaces, as a condition on alias `t`; `nil` when it replaces none.
    package var replacedRows: String? {
        // A reload replaces every row but those of documents this load rejected (see `idColumn`); a
        // replace load reads the whole collection anyway, and stays what it is.
        // A key read again is replaced whoever held it: a keyed table keeps one row per key.
        if reload, strategy != .replace {
            guard let idColumn else { return "TRUE" }
            let kept = "NOT EXISTS (SELECT 1 FROM energize_rejects r WHERE r.document_id = t.\(SQLIdentifier.quote(idColumn))::text)"
            guard let key = strategy.keyField, !stageIsEmpty else { return kept }
            return "(\(kept) OR \(reextracted("t", key: key)))"
        }
        switch strategy {
        case .replace: return "TRUE"
        case .append: return nil
        case .merge(let key):
            return stageIsEmpty ? nil : reextracted("t", key: key)
        case .incremental(let cursor, let key, _):
            var byCursor = inWindow("t", cursor: cursor)
            if idColumn != nil { byCursor = "(\(byCursor))" }
            if stageIsEmpty { return hasCutoff ? byCursor : nil }
            return hasCutoff ? "(\(byCursor) OR \(reextracted("t", key: key)))" : reextracted("t", key: key)
        }
    }

    /// `replacedRows` for a statement that reads the replaced rows by themselves (the differences,
    /// the delete). An incremental window with a stage is `cursor >= cutoff OR key IN (stage)`: an
    /// `OR` with a subquery that PostgreSQL answers with a scan of the whole table. With
    /// `indexedWindow`, the rows are found instead through the cursor's index and the key's index,
    /// each arm on its own, and read by their row ids (the same rows: both arms run in the
    /// statement's snapshot).
    private var replacedRowsFound: String? {
        guard indexedWindow, hasCutoff, !stageIsEmpty, case .incremental(let cursor, let key, _) = strategy else { return replacedRows }
        return "t.ctid = ANY (ARRAY(SELECT w.ctid FROM \(target) w WHERE \(inWindow("w", cursor: cursor)) "
            + "UNION ALL SELECT k.ctid FROM \(target) k WHERE \(reextracted("k", key: key))))"
    }

    /// Rows of alias `alias` inside an incremental window (cursor at or after the cutoff, `$1`),
    /// but those of documents this load rejected (see `idColumn`).
    private func inWindow(_ alias: String, cursor: String) -> String {
        let byCursor = "\(alias).\(column(cursor)) >= $1"
        guard let idColumn else { return byCursor }
        return byCursor + " AND NOT EXISTS (SELECT 1 FROM energize_rejects r WHERE r.document_id = \(alias).\(SQLIdentifier.quote(idColumn))::text)"
    }

    /// Rows of alias `alias` whose key this load extracted again.
    private func reextracted(_ alias: String, key: String) -> String {
        "\(alias).\(column(key)) IN (SELECT \(column(key)) FROM \(stage))"
    }

    /// Whether `differences` and `delete` take the cutoff as `$1`.
    package var usesCutoff: Bool { hasCutoff && strategy.cursorField != nil && replacedRows != nil }

    /// Keeps one staged row per key (the one with the greatest cursor, else the last read). With
    /// `idColumn`, the others are this load's rejects (`energize_rejects`): nothing read is
    /// dropped without a word. It takes `deduplicateParameters`; its row count is the rows it removed.
    package var deduplicate: String? {
        guard let key = strategy.keyField, !stageIsEmpty else { return nil }
        let order = strategy.cursorField.map { "\(column($0)) DESC NULLS LAST, ctid DESC" } ?? "ctid DESC"
        guard let idColumn else {
            return """
                DELETE FROM \(stage) s USING (SELECT ctid AS row_ctid, row_number() OVER \
                (PARTITION BY \(column(key)) ORDER BY \(order)) AS rank FROM \(stage)) d \
                WHERE s.ctid = d.row_ctid AND d.rank > 1
                """
        }
        let id = SQLIdentifier.quote(idColumn)
        // `gone` returns four named values only: a source field of any name cannot collide with them.
        // The reject's document is the staged row as JSON (column names, its fields' nulls left out).
        return """
            WITH d AS (SELECT ctid AS row_ctid, row_number() OVER (PARTITION BY \(column(key)) ORDER BY \(order)) AS rank, \
            first_value(\(id)::text) OVER (PARTITION BY \(column(key)) ORDER BY \(order)) AS kept FROM \(stage)), \
            gone AS (DELETE FROM \(stage) s USING d WHERE s.ctid = d.row_ctid AND d.rank > 1 \
            RETURNING s.\(id)::text AS id, s.\(column(key))::text AS key, d.kept AS kept, to_jsonb(s) - '_loaded_at' - '_run_id' AS document) \
            INSERT INTO energize_rejects (document_id, reason, document) \
            SELECT g.id, format($2::text, g.kept, $1::text, g.key), \
            (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(g.document) e WHERE e.value <> 'null'::jsonb) FROM gone g
            """
    }

    /// The parameters of `deduplicate`: the key's field, named in its rejects' reason, and the
    /// reason's `format()` template (`Reject.duplicateKeyReason`, its one owner).
    package var deduplicateParameters: [String?] {
        idColumn == nil ? [] : [strategy.keyField, Reject.duplicateKeyReason(kept: "%s", keyField: "%s", key: "%s")]
    }

    /// Two counts, ignoring `_loaded_at` and `_run_id`: staged rows not among the replaced
    /// rows (added), and replaced rows not among the staged ones (removed).
    package var differences: String {
        guard let replaced = replacedRowsFound else {
            return "SELECT (SELECT count(*) FROM \(stage)), 0"
        }
        if stageIsEmpty {
            return "SELECT 0, (SELECT count(*) FROM \(target) t WHERE \(replaced))"
        }
        let old = "SELECT \(columnList) FROM \(target) t WHERE \(replaced)"
        let new = "SELECT \(columnList) FROM \(stage)"
        if columns.isEmpty {
            return "SELECT (SELECT count(*) FROM \(stage)) - (SELECT count(*) FROM \(target) t WHERE \(replaced)), 0"
        }
        return "SELECT (SELECT count(*) FROM (\(new) EXCEPT ALL \(old)) a), (SELECT count(*) FROM (\(old) EXCEPT ALL \(new)) r)"
    }

    /// The key column of the rows a keyed load (merge, incremental) keeps because they were
    /// re-extracted unchanged; nil for the other loads.
    private var keepsUnchanged: String? {
        guard let key = strategy.keyField, !stageIsEmpty, !columns.isEmpty, replacedRows != nil else { return nil }
        switch strategy {
        case .merge, .incremental: return column(key)
        case .replace, .append: return nil
        }
    }

    /// Collects into `energize_unchanged` the keys of replaced rows re-extracted with every loaded
    /// column equal (as values): those rows stay as they are, with their `_loaded_at` and `_run_id`,
    /// so re-reading a look-back window without changes writes nothing and models downstream find
    /// no new rows. Takes the cutoff as `$1` when `usesCutoff`; nil when the load keeps no rows.
    package var unchangedKeys: String? {
        guard let key = keepsUnchanged, let replaced = replacedRows else { return nil }
        let staged = columns.map { "s." + SQLIdentifier.quote($0) }.joined(separator: ", ")
        let current = columns.map { "t." + SQLIdentifier.quote($0) }.joined(separator: ", ")
        return """
            CREATE TEMP TABLE energize_unchanged ON COMMIT DROP AS SELECT s.\(key) FROM \(stage) s JOIN \(target) t ON t.\(key) = s.\(key) \
            WHERE \(replaced) AND (\(staged)) IS NOT DISTINCT FROM (\(current))
            """
    }

    /// Deletes the replaced rows (but those kept unchanged); `TRUNCATE` for replace.
    package var delete: String? {
        guard let replaced = replacedRowsFound else { return nil }
        if case .replace = strategy { return "TRUNCATE \(target)" }
        guard let key = keepsUnchanged else { return "DELETE FROM \(target) t WHERE \(replaced)" }
        return "DELETE FROM \(target) t WHERE \(replaced) AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u.\(key) = t.\(key))"
    }

    /// Inserts the staged rows (but those kept unchanged), stamped with the load time and run id
    /// (`$1`); nil when none were staged.
    package var insert: String? {
        if stageIsEmpty { return nil }
        let stamped = columns.isEmpty ? "" : columnList + ", "
        let insert = "INSERT INTO \(target) (\(stamped)\"_loaded_at\", \"_run_id\") SELECT \(stamped)now(), $1 FROM \(stage)"
        guard let key = keepsUnchanged else { return insert }
        return insert + " s WHERE NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u.\(key) = s.\(key))"
    }
}
