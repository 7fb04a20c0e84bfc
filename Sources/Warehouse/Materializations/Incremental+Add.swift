import EnergizeCore

extension Incremental {
    /// The plan of an incremental run with ``Strategy/add(deltas:countColumn:)``, in one transaction:
    /// the deltas into `energize_delta` (checked: exactly the table's columns); the table's rows of
    /// the keys they name taken out into `energize_old`; old rows and deltas, typed as the table's
    /// columns (`energize_parts`), summed per key into `energize_added`; two checks (no count below
    /// 0, no count of 0 with sums left); the sums inserted but for the rows whose count came to 0.
    ///
    /// Grouping old rows and deltas together, not joining them, matches keys holding NULL as
    /// `GROUP BY` does in a full build.
    /// - Parameters:
    ///   - model: the model.
    ///   - context: the run; ``PlanContext/columns`` must hold the table's columns.
    ///   - deltas: the `SELECT` of what to add per key.
    ///   - countColumn: the column whose 0 removes a row.
    ///   - log: the model's change log, when models read its changes.
    func addPlan(_ model: Model, _ context: PlanContext, deltas: SQL, countColumn: String, log: ChangeLog?) throws -> Plan {
        guard !context.columns.isEmpty else {
            throw PlanError(problem: "incremental_strategy=add needs the columns of \(model.relation); none were read")
        }
        guard context.columns.contains(countColumn), !uniqueKey.contains(countColumn) else {
            throw PlanError(problem: "count_column=\(countColumn) is not one of \(model.relation)'s columns outside the unique key (\(context.columns.joined(separator: ", ")))")
        }
        let relation = model.relation
        let columns = SQLIdentifier.list(context.columns), keys = SQLIdentifier.list(uniqueKey)
        let count = SQLIdentifier.quote(countColumn)
        let sums = context.columns.filter { !uniqueKey.contains($0) }
        let summed = context.columns.map { uniqueKey.contains($0) ? SQLIdentifier.quote($0) : "sum(\(SQLIdentifier.quote($0))) AS \(SQLIdentifier.quote($0))" }
        let sameKey = uniqueKey.map { "d.\(SQLIdentifier.quote($0)) IS NOT DISTINCT FROM t.\(SQLIdentifier.quote($0))" }.joined(separator: " AND ")
        let nullKey = { (alias: String) in uniqueKey.map { "\(alias)\(SQLIdentifier.quote($0)) IS NULL" }.joined(separator: " OR ") }
        let keyText = "concat_ws(', ', \(uniqueKey.map { "\(SQLIdentifier.quote($0))::text" }.joined(separator: ", ")))"
        let leftOver = sums.filter { $0 != countColumn }.map { "coalesce(\(SQLIdentifier.quote($0)), 0) <> 0" }
        var steps = Plan.Step.settings
        steps += try (log?.create ?? []).map { Plan.Step(try $0.bound(context.values)) }
        let delta: SQL = "CREATE TEMP TABLE energize_delta ON COMMIT DROP AS SELECT * FROM (\(deltas)) energize_d"
        steps.append(Plan.Step(try delta.bound(context.values)))
        // The deltas name every column of the table and no other (checked here, not left to a
        // PostgreSQL error about a column of some statement below).
        steps.append(Plan.Step(Statement(text: """
            WITH energize_names AS (SELECT attname::text AS name FROM pg_attribute
                                    WHERE attrelid = 'pg_temp.energize_delta'::regclass AND attnum > 0 AND NOT attisdropped),
            energize_found AS (
              SELECT (SELECT string_agg(c, ', ') FROM unnest($1::text[]) c WHERE c NOT IN (SELECT name FROM energize_names)) AS missing,
                     (SELECT string_agg(name, ', ') FROM energize_names WHERE NOT (name = ANY ($1::text[]))) AS extra)
            SELECT 'missing: ' || coalesce(missing, 'none') || '; extra: ' || coalesce(extra, 'none') FROM energize_found
            WHERE missing IS NOT NULL OR extra IS NOT NULL
            """, parameters: [.init(name: "columns", type: "text[]", value: PostgresArray.text(context.columns))]),
            failure: "the deltas section's columns differ from those of \(model.relation)"))
        steps += [
            Plan.Step(Statement(text: "CREATE TEMP TABLE energize_old ON COMMIT DROP AS SELECT * FROM \(relation) WITH NO DATA")),
            // Keys without NULL through the unique key's index; keys with NULL (rare) compared one by one.
            Plan.Step(Statement(text: """
                WITH energize_gone AS (DELETE FROM \(relation) t WHERE (\(SQLIdentifier.list(uniqueKey, alias: "t"))) IN (SELECT \(keys) FROM energize_delta) RETURNING t.*)
                INSERT INTO energize_old SELECT * FROM energize_gone
                """)),
            Plan.Step(Statement(text: """
                WITH energize_gone AS (DELETE FROM \(relation) t WHERE (\(nullKey("t."))) AND EXISTS (SELECT 1 FROM energize_delta d WHERE \(sameKey))
                  AND EXISTS (SELECT 1 FROM energize_delta WHERE \(nullKey(""))) RETURNING t.*)
                INSERT INTO energize_old SELECT * FROM energize_gone
                """)),
        ]
        if let log { steps.append(Plan.Step(try log.loggingDeleted(rowsOf: "energize_old").bound(context.values))) }
        steps += [
            // The deltas take the table's column types (an assignment cast), so the sums are of those types.
            Plan.Step(Statement(text: "CREATE TEMP TABLE energize_parts ON COMMIT DROP AS SELECT * FROM energize_old")),
            Plan.Step(Statement(text: "INSERT INTO energize_parts (\(columns)) SELECT \(columns) FROM energize_delta")),
            Plan.Step(Statement(text: "CREATE TEMP TABLE energize_added ON COMMIT DROP AS SELECT \(summed.joined(separator: ", ")) FROM energize_parts GROUP BY \(keys)")),
            Plan.Step(Statement(text: "SELECT \(keyText), \(count) FROM energize_added WHERE \(count) < 0 LIMIT 1"),
                      failure: "the deltas take \(countColumn) below 0, so they do not add up to the model; build it whole (--full-refresh) and check its deltas section"),
        ]
        if !leftOver.isEmpty {
            steps.append(Plan.Step(Statement(text: "SELECT \(keyText) FROM energize_added WHERE \(count) = 0 AND (\(leftOver.joined(separator: " OR "))) LIMIT 1"),
                                   failure: "the deltas leave sums on a row whose \(countColumn) came to 0, so they do not add up to the model; build it whole (--full-refresh) and check its deltas section"))
        }
        let insert: SQL = """
            WITH inserted AS (INSERT INTO \(unescaped: relation) (\(unescaped: columns)) SELECT \(unescaped: columns) FROM energize_added
            WHERE \(unescaped: count) <> 0 RETURNING \(unescaped: log == nil ? "1" : "*"))\(log?.loggingInserted ?? "")
            SELECT count(*) FROM inserted
            """
        steps.append(Plan.Step(try insert.bound(context.values), rowCount: .returned))
        // No delta: nothing deleted or inserted, what reads the model need not run.
        return Plan(transform: model.name, materialization: name, steps: steps, recordsState: true,
                    changes: .when(Statement(text: "SELECT EXISTS (SELECT 1 FROM energize_delta)")))
    }
}
