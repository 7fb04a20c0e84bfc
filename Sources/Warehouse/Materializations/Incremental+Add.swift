import EnergizeCore

extension Incremental {
    /// The plan of an incremental run with ``Strategy/add(deltas:countColumn:)``, in one transaction:
    /// the deltas into `energize_delta`; the table's rows of the keys they name taken out into
    /// `energize_old`; old rows and deltas summed per key into `energize_added`, checked (no
    /// count below 0) and inserted but for the rows whose count came to 0.
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
            throw PlanError(problem: "\(model.name): incremental_strategy=add needs the columns of \(model.relation); none were read")
        }
        guard context.columns.contains(countColumn), !uniqueKey.contains(countColumn) else {
            throw PlanError(problem: "\(model.name): count_column=\(countColumn) is not one of \(model.relation)'s columns outside the unique key (\(context.columns.joined(separator: ", ")))")
        }
        let columns = SQLIdentifier.list(context.columns), keys = SQLIdentifier.list(uniqueKey)
        let count = SQLIdentifier.quote(countColumn)
        let sums = context.columns.map { uniqueKey.contains($0) ? SQLIdentifier.quote($0) : "sum(\(SQLIdentifier.quote($0))) AS \(SQLIdentifier.quote($0))" }
        let sameKey = uniqueKey.map { "d.\(SQLIdentifier.quote($0)) IS NOT DISTINCT FROM t.\(SQLIdentifier.quote($0))" }.joined(separator: " AND ")
        let nullKey = { (alias: String) in uniqueKey.map { "\(alias)\(SQLIdentifier.quote($0)) IS NULL" }.joined(separator: " OR ") }
        let relation = model.relation
        var statements: [SQL] = ["SET LOCAL jit = off"]
        statements += log?.create ?? []
        statements += [
            "CREATE TEMP TABLE energize_delta ON COMMIT DROP AS SELECT * FROM (\(deltas)) energize_d",
            "CREATE TEMP TABLE energize_old ON COMMIT DROP AS SELECT * FROM \(unescaped: relation) WITH NO DATA",
            // Keys without NULL through the unique key's index; keys with NULL (rare) compared one by one.
            """
            WITH energize_gone AS (DELETE FROM \(unescaped: relation) t WHERE (\(unescaped: SQLIdentifier.list(uniqueKey, alias: "t"))) IN (SELECT \(unescaped: keys) FROM energize_delta) RETURNING t.*)
            INSERT INTO energize_old SELECT * FROM energize_gone
            """,
            """
            WITH energize_gone AS (DELETE FROM \(unescaped: relation) t WHERE (\(unescaped: nullKey("t."))) AND EXISTS (SELECT 1 FROM energize_delta d WHERE \(unescaped: sameKey))
              AND EXISTS (SELECT 1 FROM energize_delta WHERE \(unescaped: nullKey(""))) RETURNING t.*)
            INSERT INTO energize_old SELECT * FROM energize_gone
            """,
        ]
        statements += log.map { [$0.logging(rowsOf: "energize_old", as: "deleted")] } ?? []
        statements += [
            """
            CREATE TEMP TABLE energize_added ON COMMIT DROP AS SELECT \(unescaped: sums.joined(separator: ", "))
            FROM (SELECT \(unescaped: columns) FROM energize_old UNION ALL SELECT \(unescaped: columns) FROM energize_delta) energize_u
            GROUP BY \(unescaped: keys)
            """,
            // Dollar quotes of their own: the body holds only the quoted column name.
            """
            DO $energize$ BEGIN
              IF EXISTS (SELECT 1 FROM energize_added WHERE \(unescaped: count) < 0) THEN
                RAISE EXCEPTION 'incremental_strategy=add: a row''s count_column came below 0, so the deltas do not add up to the model; build it whole (--full-refresh) and check the deltas section';
              END IF;
            END $energize$
            """,
        ]
        let insert: SQL = """
            WITH inserted AS (INSERT INTO \(unescaped: relation) (\(unescaped: columns)) SELECT \(unescaped: columns) FROM energize_added
            WHERE \(unescaped: count) <> 0 RETURNING \(unescaped: log == nil ? "1" : "*"))\(log?.loggingInserted ?? "")
            SELECT count(*) FROM inserted
            """
        var steps = try statements.map { Plan.Step(try $0.bound(context.values)) }
        steps.append(Plan.Step(try insert.bound(context.values), countsRows: true))
        // No delta: nothing deleted or inserted, what reads the model need not run.
        return Plan(transform: model.name, materialization: name, steps: steps, recordsState: true,
                    changes: .when(Statement(text: "SELECT EXISTS (SELECT 1 FROM energize_delta)")))
    }
}
