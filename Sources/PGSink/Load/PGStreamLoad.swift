import EnergizeCore
import Foundation

/// One stream's load into PostgreSQL, all inside one transaction on its own connection.
///
/// Batches are copied into a temporary staging table whose columns grow and widen with
/// the batches; `commit` aligns the target table with it (new columns, widened types),
/// applies the strategy, records the stream in `energize_meta`, and commits. A first load (no
/// target table yet) copies straight into the new target instead: nothing to compare or
/// replace, so the rows are written once.
final class PGStreamLoad: ChangeApplying {
    let connection: PGConnection
    let stream: StreamConfig
    let run: RunContext
    let sink: PGSink
    let knownSchema: Schema
    let watermark: Value?
    private var targetExists: Bool
    private var targetSchema: Schema
    private var stageSchema = Schema()
    private var naming: ColumnNaming
    private var rowsStaged = 0
    /// Documents whose rows the commit deletes (a change stream's deletes), in `energize_deleted_keys`.
    private var keysToDelete = 0
    /// Whether the load added or widened a column of the target.
    private var altered = false
    private let stage = SQLIdentifier.quote("energize_stage")
    /// Whether batches go straight into the target, created by this load.
    private let direct: Bool

    var target: String { SQLIdentifier.qualified(sink.settings.rawSchema, stream.table) }

    init(connection: PGConnection, stream: StreamConfig, run: RunContext, sink: PGSink) throws {
        self.connection = connection
        self.stream = stream
        self.run = run
        self.sink = sink
        try connection.execute("BEGIN")
        try connection.execute(WithoutJIT.inTransaction)
        // The load marks its table itself when it changed rows (the trigger would mark every statement).
        try sink.marks.markOwnWrites(connection)
        let table = SQLIdentifier.qualified(sink.settings.rawSchema, stream.table)
        let columns = try connection.execute("""
            SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [table]).rows.compactMap { row in row[0].flatMap { name in row[1].map { (name, $0) } } }
        targetExists = !columns.isEmpty
        naming = ColumnNaming(columns: columns.map(\.0),
                              mappings: targetExists ? try sink.meta.columnMappings(connection, schema: sink.settings.rawSchema, table: stream.table) : [:])
        var target = Schema()
        var known = Schema()
        for (name, typeName) in columns {
            guard !ColumnNaming.reservedColumns.contains(name), let type = ColumnType(informationSchemaName: typeName) else { continue }
            target.upsert(Column(name, type))
            known.upsert(Column(naming.field(for: name), type))
        }
        targetSchema = target
        knownSchema = known
        if let cursor = stream.strategy.cursorField, let column = target[naming.column(for: cursor)] {
            let result = try connection.execute("SELECT \(CursorText.maxExpression(column: column.name, type: column.type)) FROM \(table)")
            watermark = CursorText.value(result.scalar, type: column.type)
        } else {
            watermark = nil
        }
        direct = !targetExists
        if direct {
            // The stamps come from defaults while the batches are copied in, dropped before commit.
            try connection.execute("SELECT set_config('energize.run_id', $1, true)", [String(run.runId)])
            try connection.execute("""
                CREATE TABLE \(table) ("_loaded_at" timestamptz NOT NULL DEFAULT now(),
                  "_run_id" bigint NOT NULL DEFAULT current_setting('energize.run_id')::bigint)
                """)
        } else {
            try connection.execute("CREATE TEMP TABLE \(stage) () ON COMMIT DROP")
        }
        try connection.execute("""
            CREATE TEMP TABLE energize_rejects (ord bigint GENERATED ALWAYS AS IDENTITY, document_id text, reason text NOT NULL,
              document jsonb NOT NULL) ON COMMIT DROP
            """)
    }

    /// The rows become COPY text on the extraction's thread: the queue holds text, not values.
    var preparation: BatchPreparation {
        BatchPreparation { batch in
            PreparedBatch(batch, payload: batch.rowCount > 0 && !batch.schema.columns.isEmpty ? CopyTextEncoder.encode(batch) : nil)
        }
    }

    func write(_ batch: RecordBatch) throws {
        try write(prepared: PreparedBatch(batch))
    }

    func delete(keys: [Value]) throws {
        // A table this load creates holds none of them.
        guard !keys.isEmpty, !direct else { return }
        try wrap("stage deleted keys") {
            if keysToDelete == 0 {
                try connection.execute("CREATE TEMP TABLE energize_deleted_keys (document_id text NOT NULL) ON COMMIT DROP")
            }
            try connection.copy("COPY energize_deleted_keys (document_id) FROM STDIN",
                                data: CopyTextEncoder.encode(rows: keys.map { [DocumentRules.idText($0)] }))
            keysToDelete += keys.count
        }
    }

    func write(prepared batch: PreparedBatch) throws {
        try wrap("stage a batch") {
            if batch.rowCount > 0 {
                let named = batch.schema.columns.map { Column(naming.column(for: $0.name), $0.type) }
                if direct {
                    try align(table: target, current: &targetSchema, to: named)
                } else {
                    try align(table: stage, current: &stageSchema, to: named)
                }
                let columns = named.map { SQLIdentifier.quote($0.name) }
                if direct && columns.isEmpty {
                    // Documents with no field at all (`{}`): rows of nothing but their stamps.
                    try connection.execute("INSERT INTO \(target) (\"_loaded_at\") SELECT now() FROM generate_series(1, $1::integer)", [String(batch.rowCount)])
                } else {
                    // In the stage, documents with no field at all are rows of no column: one empty line each.
                    let list = columns.isEmpty ? "" : " (" + columns.joined(separator: ", ") + ")"
                    let text = batch.payload ?? batch.batch.map(CopyTextEncoder.encode) ?? Array(repeating: UInt8(ascii: "\n"), count: batch.rowCount)
                    try connection.copy("COPY \(direct ? target : stage)\(list) FROM STDIN", data: text)
                }
                rowsStaged += batch.rowCount
            }
            if !batch.rejects.isEmpty {
                let rows: [[String?]] = batch.rejects.map { [$0.documentId, $0.reason, JSONText.encode($0.document)] }
                try connection.copy("COPY energize_rejects (document_id, reason, document) FROM STDIN",
                                    data: CopyTextEncoder.encode(rows: rows))
            }
        }
    }

    func commit(_ progress: StreamProgress) throws -> LoadOutcome {
        try wrap("commit the load") {
            var strategyColumns: [String: String] = [:]
            for field in stream.strategy.requiredFields { strategyColumns[field] = naming.column(for: field) }
            var deleted = 0, inserted = 0, added = 0, removed = 0
            // Documents that lost their key to another of this load (see `LoadStatements.deduplicate`): rejects too.
            var duplicateRejects = 0
            if direct {
                // A first load: the rows are in the new target already; keep one per key.
                let statements = LoadStatements(target: target, stage: target, columns: targetSchema.names, strategy: stream.strategy,
                                                hasCutoff: false, columnNames: strategyColumns, stageIsEmpty: rowsStaged == 0,
                                                idColumn: targetSchema[naming.column(for: "_id")]?.name)
                let duplicates = try statements.deduplicate.map { try connection.execute($0, statements.deduplicateParameters).affectedRows } ?? 0
                if statements.idColumn != nil { duplicateRejects = duplicates }
                inserted = rowsStaged - duplicates
                try connection.execute("ALTER TABLE \(target) ALTER COLUMN \"_loaded_at\" DROP DEFAULT, ALTER COLUMN \"_run_id\" DROP DEFAULT")
                try createIndexes()
                added = inserted
            } else {
                try align(table: target, current: &targetSchema, to: stageSchema.columns)
                try align(table: stage, current: &stageSchema, to: targetSchema.columns)
                try createIndexes()
                let statements = LoadStatements(target: target, stage: stage, columns: targetSchema.names,
                                                strategy: stream.strategy, hasCutoff: progress.cutoff != nil,
                                                columnNames: strategyColumns, stageIsEmpty: rowsStaged == 0,
                                                idColumn: targetSchema[naming.column(for: "_id")]?.name,
                                                indexedWindow: rowsStaged <= 100_000, reload: stream.reload)
                let cutoff = statements.usesCutoff ? [progress.cutoff.flatMap(CursorText.parameter)] : []
                if let deduplicate = statements.deduplicate {
                    let duplicates = try connection.execute(deduplicate, statements.deduplicateParameters).affectedRows
                    if statements.idColumn != nil { duplicateRejects = duplicates }
                }
                let differences = try connection.execute(statements.differences, cutoff).rows.first ?? []
                added = Int(differences.first.flatMap { $0 } ?? "0") ?? 0
                removed = Int(differences.dropFirst().first.flatMap { $0 } ?? "0") ?? 0
                if let unchanged = statements.unchangedKeys { try connection.execute(unchanged, cutoff) }
                // A replace that found the same rows keeps the table as it is (and its rows' `_run_id`).
                let replacesNothing: Bool
                if case .replace = stream.strategy { replacesNothing = added == 0 && removed == 0 } else { replacesNothing = false }
                if let delete = statements.delete, !replacesNothing {
                    if case .replace = stream.strategy {
                        deleted = Int(try connection.execute("SELECT count(*) FROM \(target)").scalar ?? "0") ?? 0
                        try connection.execute(delete)
                    } else {
                        deleted = try connection.execute(delete, cutoff).affectedRows
                    }
                }
                if !replacesNothing {
                    inserted = try statements.insert.map { try connection.execute($0, [String(run.runId)]).affectedRows } ?? 0
                }
                if keysToDelete > 0, let id = targetSchema[naming.column(for: "_id")] {
                    // A change stream's deletes: the rows and the current rejects of those documents.
                    let gone = try connection.execute("""
                        DELETE FROM \(target) t WHERE t.\(SQLIdentifier.quote(id.name))::text IN (SELECT document_id FROM energize_deleted_keys)
                        """).affectedRows
                    deleted += gone
                    removed += gone
                    try connection.execute("""
                        DELETE FROM \(sink.rejectsTable) r WHERE r.collection = $1 AND r.origin = 'load'
                          AND r.document_id IN (SELECT document_id FROM energize_deleted_keys)
                        """, [stream.collection])
                }
            }
            try sink.meta.recordColumnMappings(connection, schema: sink.settings.rawSchema, table: stream.table, naming.newMappings)
            let tableRows = direct ? inserted : Int(try connection.execute("SELECT count(*) FROM \(target)").scalar ?? "0") ?? 0
            var watermarkAfter: Value?
            if let cursor = stream.strategy.cursorField, let column = targetSchema[naming.column(for: cursor)] {
                let result = try connection.execute("SELECT \(CursorText.maxExpression(column: column.name, type: column.type)) FROM \(target)")
                watermarkAfter = CursorText.value(result.scalar, type: column.type)
            }
            var outcome = LoadOutcome(rowsLoaded: inserted, rowsDeleted: deleted, rowsAdded: added, rowsRemoved: removed,
                                      tableRows: tableRows, watermarkAfter: watermarkAfter)
            outcome.rowsRejected = duplicateRejects
            var recorded = progress
            recorded.rowsRejected += duplicateRejects
            // Statistics of the columns loads and changed scopes look rows up by (`_id`, the key, the
            // cursor, `_run_id`) when the load rewrote much of the table (a first load, a replace, a
            // big window) or the table never had any: the next statements plan with them instead of
            // waiting for autovacuum. Only those columns: a whole ANALYZE of a table with wide JSON
            // columns costs a second per 300,000 rows.
            let neverAnalyzed = try connection.execute("SELECT reltuples < 0 FROM pg_class WHERE oid = $1::regclass", [target]).scalar == "t"
            if direct || neverAnalyzed || (inserted + deleted) * 10 >= tableRows + 500 {
                var seen = Set<String>()
                let columns = ((["_id"] + stream.strategy.requiredFields).map { naming.column(for: $0) }.filter { targetSchema[$0] != nil }
                               + ["_run_id"]).filter { seen.insert($0).inserted }
                try connection.execute("ANALYZE \(target) (\(SQLIdentifier.list(columns)))")
            }
            try recordRejects(loadedRows: inserted, changeBatch: progress.resumeToken != nil, windowed: progress.cutoff != nil)
            // What reads the table is rebuilt only when this (or any other write) changed it.
            try connection.execute(sink.marks.triggerStatement(schema: sink.settings.rawSchema, table: stream.table))
            if direct || altered || inserted > 0 || deleted > 0 {
                try sink.marks.mark(connection, schema: sink.settings.rawSchema, table: stream.table)
            } else {
                try sink.marks.markUnlessMarked(connection, schema: sink.settings.rawSchema, table: stream.table)
            }
            if let token = progress.resumeToken {
                // A micro-batch of changes: its position commits with its rows.
                try sink.meta.recordChanges(connection, run: run, stream: stream, progress: recorded, token: token, outcome: outcome)
            } else {
                try sink.meta.recordStream(connection, run: run, stream: stream, table: "\(sink.settings.rawSchema).\(stream.table)",
                                           progress: recorded, watermarkBefore: watermark, outcome: outcome, error: nil)
            }
            try checkLock()
            try connection.execute("COMMIT")
            connection.close()
            return outcome
        }
    }

    func abort(_ error: any Error, progress: StreamProgress) {
        let message = "\(error)"
        if connection.isHealthy {
            _ = try? connection.execute("ROLLBACK")
        }
        connection.close()
        // The failure is recorded outside the rolled-back transaction, on a fresh connection.
        if let recorder = try? PGConnection(sink.connectionString, applicationName: "energize \(run.pipeline) stream \(stream.name)") {
            try? sink.meta.recordStream(recorder, run: run, stream: stream, table: "\(sink.settings.rawSchema).\(stream.table)",
                                        progress: progress, watermarkBefore: watermark, outcome: nil, error: message)
            recorder.close()
        }
    }

    /// Adds the columns `table` lacks and widens those that are narrower than `columns`
    /// (named as PostgreSQL columns). Views reading a widened table are set aside meanwhile.
    private func align(table: String, current: inout Schema, to columns: [Column]) throws {
        var widen: [Column] = []
        for column in columns {
            if let existing = current[column.name] {
                guard existing.type != column.type, let wider = existing.type.widened(with: column.type), wider != existing.type else { continue }
                widen.append(Column(column.name, wider))
            } else {
                try connection.execute("ALTER TABLE \(table) ADD COLUMN \(SQLIdentifier.quote(column.name)) \(column.type.sqlName)")
                current.upsert(column)
                if table == target { altered = true }
            }
        }
        guard !widen.isEmpty else { return }
        let alter = "ALTER TABLE \(table) " + widen.map {
            "ALTER COLUMN \(SQLIdentifier.quote($0.name)) TYPE \($0.type.sqlName) USING \(SQLIdentifier.quote($0.name))::\($0.type.sqlName)"
        }.joined(separator: ", ")
        try DependentViews(of: table, on: connection).around(connection) { try connection.execute(alter) }
        for column in widen { current.upsert(column) }
        if table == target { altered = true }
    }

    private func createIndexes() throws {
        for field in stream.strategy.requiredFields {
            let column = naming.column(for: field)
            guard targetSchema[column] != nil else { continue }
            let index = ColumnNaming.derivedName(stream.table, column, "idx")
            try connection.execute("CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(index)) ON \(target) (\(SQLIdentifier.quote(column)))")
        }
    }

    /// Keeps one current `_rejects` row per rejected document of the collection: this run's
    /// rejects replace earlier rows of the same documents (keeping the run that first rejected
    /// them), documents that loaded in this run lose theirs, and a replace stream (or a reload) drops
    /// the rows of documents it did not see again (gone from the source, or loaded). An incremental window
    /// reads every document without a cursor, so a row of one it did not see again (rejected for
    /// lacking its cursor) is dropped too: the document is gone, or has a cursor now.
    /// - Parameters:
    ///   - loadedRows: the rows this load inserted (stamped with the run's id).
    ///   - changeBatch: a micro-batch of changes: every document it wrote loses its reject, whatever
    ///     the run (the batches of one followed run share its id).
    ///   - windowed: an incremental load of a window (not a first, whole read).
    private func recordRejects(loadedRows: Int, changeBatch: Bool, windowed: Bool) throws {
        let rejects = sink.rejectsTable
        let parameters = [String(run.runId), stream.collection]
        try connection.execute("""
            WITH previous AS (
              DELETE FROM \(rejects) r USING energize_rejects n
              WHERE r.collection = $2 AND r.origin = 'load' AND r.document_id = n.document_id
              RETURNING r.document_id, r.first_run_id),
            -- Joined, not looked up per row: a load with thousands of rejects stays linear.
            earliest AS (SELECT p.document_id, min(p.first_run_id) AS first_run_id FROM previous p GROUP BY p.document_id)
            INSERT INTO \(rejects) (run_id, collection, document_id, reason, document, first_run_id, last_run_id, origin)
            SELECT DISTINCT ON (coalesce(n.document_id, 'row ' || n.ord)) $1::bigint, $2, n.document_id, n.reason, n.document,
              coalesce(e.first_run_id, $1::bigint), $1::bigint, 'load'
            FROM energize_rejects n LEFT JOIN earliest e ON e.document_id = n.document_id
            ORDER BY coalesce(n.document_id, 'row ' || n.ord), n.ord DESC
            """, parameters)
        if changeBatch, rowsStaged > 0, let id = targetSchema[naming.column(for: "_id")] {
            try connection.execute("""
                DELETE FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load'
                  AND r.document_id IN (SELECT s.\(SQLIdentifier.quote(id.name))::text FROM \(direct ? target : stage) s)
                """, [stream.collection])
        } else if loadedRows > 0, targetSchema[naming.column(for: "_id")] != nil, try hasEarlierRejects(parameters) {
            // The ids this load wrote, read once: a lookup per reject row scans the whole table per
            // row when the planner takes `_rejects` (never analyzed after its first load) for tiny.
            try connection.execute("""
                CREATE TEMP TABLE energize_loaded_ids ON COMMIT DROP AS
                SELECT t.\(SQLIdentifier.quote(naming.column(for: "_id")))::text AS document_id FROM \(target) t WHERE t._run_id = $1::bigint
                """, [String(run.runId)])
            try connection.execute("ANALYZE energize_loaded_ids")
            try connection.execute("""
                DELETE FROM \(rejects) r WHERE r.collection = $2 AND r.origin = 'load' AND r.last_run_id < $1::bigint
                  AND r.document_id IN (SELECT l.document_id FROM energize_loaded_ids l)
                """, parameters)
        }
        if replacesEveryRow {
            try connection.execute("""
                DELETE FROM \(rejects) r WHERE r.collection = $2 AND r.origin = 'load' AND r.last_run_id < $1::bigint
                """, parameters)
        } else if !changeBatch, windowed, let cursor = stream.strategy.cursorField {
            let path = PostgresArray.text(cursor.split(separator: ".").map(String.init))
            try connection.execute("""
                DELETE FROM \(rejects) r WHERE r.collection = $2 AND r.origin = 'load' AND r.last_run_id < $1::bigint
                  AND coalesce(r.document #> $3::text[], 'null'::jsonb) = 'null'::jsonb
                """, parameters + [path])
        }
    }

    /// Whether documents of the collection were rejected by an earlier load and are still listed:
    /// the only rows a load's documents can take out of `_rejects`. A first load and a replace (it
    /// drops every earlier row below) have none to look for.
    /// - Parameter parameters: the run's id and the collection.
    private func hasEarlierRejects(_ parameters: [String]) throws -> Bool {
        if replacesEveryRow { return false }
        return try connection.execute("""
            SELECT EXISTS (SELECT 1 FROM \(sink.rejectsTable) r WHERE r.collection = $2 AND r.origin = 'load' AND r.last_run_id < $1::bigint)
            """, parameters).scalar == "t"
    }

    /// Whether the load replaces every row of the table: a replace stream, or a reload of any
    /// (its earlier load rejects then all go, this run's replacing them).
    private var replacesEveryRow: Bool {
        if case .replace = stream.strategy { return true }
        return stream.reload
    }

    /// Inside the transaction, just before COMMIT: waits for any other commit of this stream,
    /// then checks that the run still holds the stream's lock (a lost lock commits nothing).
    private func checkLock() throws {
        guard let holder = sink.settings.lockHolder else { return }
        let name = PipelineLock.streamLock(run.pipeline, stream.name)
        var held = "0"
        for statement in PipelineLock.fence(lock: name, holder: holder) {
            held = try connection.execute(statement.sql, statement.parameters).scalar ?? "0"
        }
        guard held == "1" else {
            throw EnergizeError(.lockLost, "the run's lock \(name) was lost (its PostgreSQL connection ended, backend \(holder)); the load was rolled back and the run stops",
                                context: ["stream": stream.name, "lock": name], retryability: .terminal)
        }
    }

    /// Runs `body`, wrapping its errors with the stream and table they happened in.
    private func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError {
            throw EnergizeError(.sinkFailed, "cannot \(what) of stream \(stream.name)",
                                context: ["stream": stream.name, "table": "\(sink.settings.rawSchema).\(stream.table)"],
                                retryability: error.retryability, underlying: error)
        }
    }
}
