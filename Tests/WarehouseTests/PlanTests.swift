import EnergizeCore
import EnergizeTesting
import Testing
@testable import Warehouse

/// Plans as text: what each materialization runs, bound, without a database.
@Suite struct PlanTests {
    let context = PlanContext(runId: 7, runStartedAt: "2026-12-02 03:00:00+00", lastRunId: 5, relation: .table(readByViews: false))

    @Test func anSCD2RunClosesChangedVersionsOpensNewOnesAndInvalidatesDeletedKeys() throws {
        let model = Model(name: "dim_customer", schema: "w", sql: "SELECT customer_id, city, updated_at, created_at FROM s",
                          materialization: .scd2(SCD2Dimension(naturalKey: "customer_id", surrogateKey: "customer_sk", tracked: ["city"],
                                                               carried: ["created_at", "updated_at"])))
        let plan = try model.plan(context)
        let ranges = """
            SELECT v."customer_id" AS energize_key, v."customer_sk",
              CASE WHEN lag(v.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE v.valid_from END AS energize_from,
              coalesce(lead(v.valid_from) OVER w, 'infinity'::timestamptz) AS energize_to
            FROM "w"."dim_customer" v WHERE v."customer_sk" <> -1
            WINDOW w AS (PARTITION BY v."customer_id" ORDER BY v.valid_from)
            """
        #expect(plan.recordsState && plan.transactional && plan.materialization == "scd2")
        #expect(plan.steps.map(\.statement.text) == [
            """
            CREATE TEMP TABLE energize_scd_source ON COMMIT DROP AS
            SELECT DISTINCT ON ("customer_id") * FROM (SELECT customer_id, city, updated_at, created_at FROM s
            ) s WHERE "customer_id" IS NOT NULL
            ORDER BY "customer_id", "updated_at" DESC NULLS LAST
            """,
            """
            CREATE TEMP TABLE energize_scd_changed ON COMMIT DROP AS
            SELECT s.*, CASE WHEN s."updated_at" > t.valid_from THEN s."updated_at" ELSE $1::timestamptz END AS energize_from
            FROM energize_scd_source s JOIN "w"."dim_customer" t ON t."customer_id" = s."customer_id" AND t.is_current
            WHERE t."city" IS DISTINCT FROM s."city"
            """,
            """
            UPDATE "w"."dim_customer" t SET valid_to = c.energize_from, is_current = false, _changed_run = $1::bigint
            FROM energize_scd_changed c WHERE t."customer_id" = c."customer_id" AND t.is_current
            """,
            """
            INSERT INTO "w"."dim_customer" ("customer_id", "city", "created_at", "updated_at", valid_from, valid_to, is_current, _changed_run, _version_run)
            SELECT "customer_id", "city", "created_at", "updated_at", energize_from, NULL, true, $1::bigint, $1::bigint FROM energize_scd_changed
            """,
            """
            UPDATE "w"."dim_customer" t SET valid_to = $1::timestamptz, is_current = false, _changed_run = $2::bigint
            WHERE t.is_current AND t."customer_sk" <> -1 AND NOT EXISTS (SELECT 1 FROM energize_scd_source s WHERE s."customer_id" = t."customer_id")
            """,
            """
            INSERT INTO "w"."dim_customer" ("customer_id", "city", "created_at", "updated_at", valid_from, valid_to, is_current, _changed_run, _version_run)
            SELECT s."customer_id", s."city", s."created_at", s."updated_at",
              CASE WHEN last.valid_to IS NULL THEN coalesce(s."created_at", $1::timestamptz)
                   WHEN s."updated_at" > last.valid_to THEN s."updated_at" ELSE $1::timestamptz END,
              NULL, true, $2::bigint, $2::bigint
            FROM energize_scd_source s
            LEFT JOIN (SELECT "customer_id", max(valid_to) AS valid_to FROM "w"."dim_customer" GROUP BY "customer_id") last ON last."customer_id" = s."customer_id"
            WHERE NOT EXISTS (SELECT 1 FROM "w"."dim_customer" t WHERE t."customer_id" = s."customer_id" AND t.is_current)
            """,
            #"ANALYZE "w"."dim_customer""#,
            // The ranges scd2_join reads, replaced in the same transaction.
            #"DROP TABLE IF EXISTS "w"."dim_customer__energize_ranges""#,
            """
            CREATE TABLE IF NOT EXISTS "w"."dim_customer__energize_ranges" AS \(ranges) WITH NO DATA
            """,
            #"INSERT INTO "w"."dim_customer__energize_ranges" "# + ranges,
            #"ANALYZE "w"."dim_customer__energize_ranges""#,
            #"SELECT count(*) FROM "w"."dim_customer" WHERE _changed_run = $1::bigint"#,
        ])
        // Every statement binds exactly the parameters it uses, by name and type: no fillers.
        #expect(plan.steps.map { $0.statement.parameters.map(\.name) } == [
            [], ["run_started_at"], ["run_id"], ["run_id"], ["run_started_at", "run_id"], ["run_started_at", "run_id"], [], [], [], [], [], ["run_id"]])
        // A view that reads the ranges keeps them: they are emptied instead of dropped.
        #expect(plan.steps[7].otherwise.map(\.text) == [#"TRUNCATE "w"."dim_customer__energize_ranges""#])
        #expect(plan.steps[4].statement.values == ["2026-12-02 03:00:00+00", "7"])
        #expect(plan.steps.last?.rowCount == .returned)
    }

    @Test func aFirstSCD2BuildCreatesTheTableWithTheUnknownMemberAndIgnoringDeletesSkipsTheClose() throws {
        let model = Model(name: "dim", schema: "w", sql: "SELECT k, a, created_at, updated_at FROM s",
                          materialization: .scd2(SCD2Dimension(naturalKey: "k", surrogateKey: "sk", tracked: ["a"], carried: ["created_at", "updated_at"],
                                                               hardDeletes: .ignore)))
        var first = context
        first.relation = .missing
        let texts = try model.plan(first).steps.map(\.statement.text)
        #expect(texts[0] == """
            CREATE TABLE "w"."dim" AS SELECT NULL::bigint AS "sk", s."k", s."a", s."created_at", s."updated_at",
              NULL::timestamptz AS valid_from, NULL::timestamptz AS valid_to, NULL::boolean AS is_current, NULL::bigint AS _version_run, NULL::bigint AS _changed_run FROM (SELECT k, a, created_at, updated_at FROM s
            ) s WITH NO DATA
            """)
        #expect(texts[1...5] == [#"ALTER TABLE "w"."dim" ALTER COLUMN "sk" SET NOT NULL"#,
                                 #"ALTER TABLE "w"."dim" ALTER COLUMN "sk" ADD GENERATED BY DEFAULT AS IDENTITY"#,
                                 #"ALTER TABLE "w"."dim" ADD PRIMARY KEY ("sk")"#, #"CREATE INDEX ON "w"."dim" ("k", valid_from)"#,
                                 #"INSERT INTO "w"."dim" ("sk", valid_from, is_current) VALUES (-1, '-infinity', true)"#])
        #expect(texts.count == 6 + 5 + 4 + 2)
        #expect(!texts.contains { $0.contains("NOT EXISTS (SELECT 1 FROM energize_scd_source") })
    }

    @Test func aType1RunUpsertsChangedRowsOnly() throws {
        let model = Model(name: "dim_store", schema: "w", sql: "SELECT store_id, region FROM s",
                          materialization: .type1(Type1Dimension(naturalKey: "store_id", surrogateKey: "store_sk", attributes: ["region"])))
        let plan = try model.plan(context)
        #expect(plan.steps.map(\.statement.text) == [
            """
            INSERT INTO "w"."dim_store" AS t ("store_id", "region", _changed_run)
            SELECT DISTINCT ON ("store_id") "store_id", "region", $1::bigint FROM (SELECT store_id, region FROM s
            ) s WHERE "store_id" IS NOT NULL ORDER BY "store_id"
            ON CONFLICT ("store_id") DO UPDATE SET "region" = excluded."region", _changed_run = excluded._changed_run
            WHERE t."region" IS DISTINCT FROM excluded."region"
            """,
            #"ANALYZE "w"."dim_store""#,
            #"SELECT count(*) FROM "w"."dim_store" WHERE _changed_run = $1::bigint"#,
        ])
        #expect(plan.steps.map(\.statement.values) == [["7"], [], ["7"]])
    }

    @Test func anIncrementalRunRebuildsTheChangedScopesAndAFullRefreshTheTable() throws {
        let model = Model(name: "fact", schema: "w", sql: "SELECT sale_id, line FROM s", materialization: .incremental(Incremental(
            uniqueKey: ["sale_id", "line"], scope: ["sale_id"], changedScopes: "SELECT sale_id FROM s WHERE _run_id > \(SQLParameter.lastRunId)")))
        let plan = try model.plan(context)
        #expect(plan.steps.map(\.statement.description) == [
            "SET LOCAL jit = off", "SET LOCAL parallel_tuple_cost = 0.001",
            "CREATE TEMP TABLE energize_scope ON COMMIT DROP AS SELECT sale_id FROM s WHERE _run_id > $1::bigint\n-- $1 last_run_id bigint = '5'",
            #"DELETE FROM "w"."fact" WHERE ("sale_id") IN (SELECT "sale_id" FROM energize_scope)"#,
            """
            WITH inserted AS (INSERT INTO "w"."fact" SELECT m.* FROM (SELECT sale_id, line FROM s) m
            WHERE (m."sale_id") IN (SELECT "sale_id" FROM energize_scope) RETURNING 1)
            SELECT count(*) FROM inserted
            """,
            // No model reads its changes: a log left by readers gone from the project goes.
            #"DROP TABLE IF EXISTS "w"."fact__energize_changes""#,
        ])
        var refresh = context
        refresh.fullRefresh = true
        refresh.relation = .table(readByViews: true)
        #expect(try model.plan(refresh).steps.map(\.statement.text) == [
            "SET LOCAL jit = off", "SET LOCAL parallel_tuple_cost = 0.001", #"DROP TABLE IF EXISTS "w"."fact__energize_new""#, #"CREATE TABLE "w"."fact__energize_new" AS SELECT sale_id, line FROM s"#,
            #"TRUNCATE "w"."fact""#,
            #"INSERT INTO "w"."fact" SELECT * FROM "w"."fact__energize_new""#, #"DROP TABLE "w"."fact__energize_new""#,
            #"ANALYZE "w"."fact""#, #"CREATE INDEX IF NOT EXISTS "fact_scope_idx" ON "w"."fact" ("sale_id")"#,
            #"DROP TABLE IF EXISTS "w"."fact__energize_changes""#,
        ])
        #expect(try model.plan(refresh).recordsState)
    }

    @Test func anAddRunSumsOldRowsAndDeltasPerKeyAndRebuildWhenBuildsWhole() throws {
        let model = Model(name: "agg", schema: "w", sql: "SELECT g, count(*) AS n, sum(v) AS v FROM f GROUP BY g", materialization: .incremental(
            Incremental(uniqueKey: ["g"], adding: "SELECT g, 1 AS n, v FROM d WHERE run > \(SQLParameter.lastRunId)", countColumn: "n",
                        rebuildWhen: "SELECT 1 FROM moved")))
        #expect(throws: PlanError.self) { try model.plan(context) }
        var added = context
        added.columns = ["g", "n", "v"]
        let plan = try model.plan(added)
        let statements = plan.steps.map(\.statement.text)
        #expect(Array(statements.prefix(2)) == ["SET LOCAL jit = off", "SET LOCAL parallel_tuple_cost = 0.001"])
        #expect(statements.contains("CREATE TEMP TABLE energize_delta ON COMMIT DROP AS SELECT * FROM (SELECT g, 1 AS n, v FROM d WHERE run > $1::bigint) energize_d"))
        #expect(statements.contains(#"INSERT INTO energize_parts ("g", "n", "v") SELECT "g", "n", "v" FROM energize_delta"#))
        #expect(statements.contains(#"CREATE TEMP TABLE energize_added ON COMMIT DROP AS SELECT "g", sum("n") AS "n", sum("v") AS "v" FROM energize_parts GROUP BY "g""#))
        // Checks: a deltas column the table lacks (a parameter), a count below 0, a count of 0 with sums left.
        let checks = plan.steps.filter { $0.failure != nil }
        #expect(checks.count == 3)
        #expect(checks.first?.statement.values == ["{\"g\",\"n\",\"v\"}"])
        #expect(checks.last?.statement.text == #"SELECT concat_ws(', ', "g"::text) FROM energize_added WHERE "n" = 0 AND (coalesce("v", 0) <> 0) LIMIT 1"#)
        #expect(statements.last == #"DROP TABLE IF EXISTS "w"."agg__energize_changes""#)
        #expect(statements.dropLast().last == """
            WITH inserted AS (INSERT INTO "w"."agg" ("g", "n", "v") SELECT "g", "n", "v" FROM energize_added
            WHERE "n" <> 0 RETURNING 1)
            SELECT count(*) FROM inserted
            """)
        #expect(plan.steps.dropLast().last?.rowCount == .returned)
        var wrongCount = added
        wrongCount.columns = ["g", "v"]
        #expect(throws: PlanError.self) { try model.plan(wrongCount) }
        // rebuild_when found a row: the table is built whole, with an index on the key.
        var rebuild = added
        rebuild.rebuildWhenMet = true
        let whole = try model.plan(rebuild).steps.map(\.statement.text)
        #expect(whole.contains(#"CREATE TABLE "w"."agg__energize_new" AS SELECT g, count(*) AS n, sum(v) AS v FROM f GROUP BY g"#))
        #expect(whole.dropLast().last == #"CREATE INDEX IF NOT EXISTS "agg_scope_idx" ON "w"."agg" ("g")"#)
    }

    @Test func aLoggedIncrementalModelRecordsTheRowsItDeletesAndInsertsAndAFullBuildResetsItsLog() throws {
        let model = Model(name: "fact", schema: "w", sql: "SELECT sale_id, line FROM s", materialization: .incremental(Incremental(
            uniqueKey: ["sale_id", "line"], scope: ["sale_id"], changedScopes: "SELECT sale_id FROM s",
            scopedSQL: "SELECT sale_id, line FROM s WHERE sale_id IN (SELECT sale_id FROM energize_scope)", logsChanges: true)))
        let statements = try model.plan(context).steps.map(\.statement.text)
        #expect(statements.contains(#"CREATE TABLE IF NOT EXISTS "w"."fact__energize_changes" (run_id bigint NOT NULL, change text NOT NULL, row jsonb)"#))
        #expect(statements.contains("""
            WITH energize_deleted AS (DELETE FROM "w"."fact" WHERE ("sale_id") IN (SELECT "sale_id" FROM energize_scope) RETURNING *)
            INSERT INTO "w"."fact__energize_changes" (run_id, change, row) SELECT $1::bigint, 'deleted', to_jsonb(d) FROM energize_deleted d
            """))
        #expect(statements.last == """
            WITH inserted AS (INSERT INTO "w"."fact" SELECT m.* FROM (SELECT sale_id, line FROM s WHERE sale_id IN (SELECT sale_id FROM energize_scope)) m
            WHERE (m."sale_id") IN (SELECT "sale_id" FROM energize_scope) RETURNING *), energize_logged AS (INSERT INTO "w"."fact__energize_changes" (run_id, change, row) SELECT $1::bigint, 'inserted', to_jsonb(i) FROM inserted i)
            SELECT count(*) FROM inserted
            """)
        var reset = context
        reset.changeLogsReset = true
        let rebuild = try model.plan(reset).steps.map(\.statement.text)
        #expect(rebuild.contains(#"CREATE TABLE "w"."fact__energize_new" AS SELECT sale_id, line FROM s"#))
        #expect(Array(rebuild.suffix(2)) == [#"DELETE FROM "w"."fact__energize_changes""#,
                                             #"INSERT INTO "w"."fact__energize_changes" (run_id, change) VALUES ($1::bigint, 'reset')"#])
    }

    @Test func aViewIsReplacedOrDroppedAndCreatedWhenItsColumnsChanged() throws {
        let model = Model(name: "v", schema: "s", sql: "SELECT 1 AS x", materialization: .view)
        var existing = context
        existing.relation = .view
        let step = try #require(try model.plan(existing).steps.first)
        #expect(step.statement.text == #"CREATE OR REPLACE VIEW "s"."v" AS SELECT 1 AS x"#)
        #expect(step.otherwise.map(\.text) == [#"DROP VIEW "s"."v""#, #"CREATE VIEW "s"."v" AS SELECT 1 AS x"#])
    }

    @Test func aPlanReadsAsAScript() throws {
        let model = Model(name: "t", schema: "s", sql: "SELECT 1 AS x", materialization: .table)
        var first = context
        first.relation = .missing
        #expect(try model.plan(first).description == """
            -- t (table), in one transaction
            SET LOCAL jit = off;
            SET LOCAL parallel_tuple_cost = 0.001;
            DROP TABLE IF EXISTS "s"."t__energize_new";
            CREATE TABLE "s"."t__energize_new" AS SELECT 1 AS x;  -- the rows it writes: the build's row count
            ALTER TABLE "s"."t__energize_new" RENAME TO "t";
            ANALYZE "s"."t";
            """)
    }

    @Test func aParameterWithoutAValueIsAnError() {
        let sql: SQL = "SELECT \(SQLParameter(name: "region", type: "text"))"
        #expect(throws: PlanError(problem: "no value for the parameter region")) { try sql.bound([:]) }
    }
}

/// The runner on a recording executor: what it asks the catalog, and the order it runs a plan in.
@Suite struct TransformRunnerRecordingTests {
    @Test func aViewWhoseColumnsChangedIsDroppedAndCreatedInsideASavepoint() async throws {
        let recorder = RecordingSQLExecutor()
        recorder.answer("FROM pg_class c", with: [["v", "f"]])
        recorder.answer("to_regclass($1) IS NOT NULL", with: [["t"]])
        struct ColumnsChanged: Error {}
        recorder.fail("CREATE OR REPLACE VIEW", with: ColumnsChanged())
        let graph = try ModelGraph([Model(name: "v", schema: "s", sql: "SELECT 2 AS y", materialization: .view)])
        let report = try await TransformRunner(graph: graph, meta: WarehouseMeta(schema: "m"), connect: { recorder })
            .run(RunContext(runId: 3, pipeline: "p", startedAt: 0))
        #expect(report.succeeded)
        let statements = recorder.statements
        let start = try #require(statements.firstIndex(of: "SAVEPOINT energize_step")) - 1
        #expect(Array(statements[start..<min(start + 6, statements.count)]) == ["BEGIN", "SAVEPOINT energize_step", #"CREATE OR REPLACE VIEW "s"."v" AS SELECT 2 AS y"#,
                                           "ROLLBACK TO SAVEPOINT energize_step", #"DROP VIEW "s"."v""#, #"CREATE VIEW "s"."v" AS SELECT 2 AS y"#])
        // The view's change mark and its state (with its definition's fingerprint) commit with it.
        let commit = try #require(statements[start...].firstIndex(of: "COMMIT"))
        #expect(statements[(start + 6)..<commit].contains { $0.hasPrefix(#"INSERT INTO "m"."relation_changes""#) })
        #expect(statements[(start + 6)..<commit].contains { $0.hasPrefix(#"INSERT INTO "m"."model_state""#) })
        #expect(recorder.calls.contains { $0.sql.contains(#"INSERT INTO "m"."model_runs""#) && $0.parameters.contains("succeeded") })
    }

    /// A follow-up runs in the models' pool after the models ready when it was queued, and its
    /// error is thrown once everything started has finished.
    @Test func aFollowUpWaitsForReadyModelsAndItsErrorEndsTheRun() async throws {
        let recorder = RecordingSQLExecutor()
        let graph = try ModelGraph([Model(name: "a", schema: "s", sql: "SELECT 1 AS x", materialization: .view),
                                    Model(name: "b", schema: "s", sql: "SELECT 2 AS y", materialization: .view)])
        let order = EventLog()
        struct RecordingFailed: Error, Equatable {}
        await #expect(throws: RecordingFailed()) {
            _ = try await TransformRunner(graph: graph, meta: WarehouseMeta(schema: "m"), concurrency: 1, connect: { recorder })
                .run(RunContext(runId: 3, pipeline: "p", startedAt: 0), followUp: { report in
                    guard report.model == "a" else { return nil }
                    return { _ in order.add("follow-up of a"); throw RecordingFailed() }
                }, onModel: { order.add($0.model) })
        }
        #expect(order.events == ["a", "b", "follow-up of a"])
    }
}
