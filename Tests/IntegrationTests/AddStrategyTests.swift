import EnergizeCore
import Foundation
import PGSink
import Testing
import Warehouse

/// `incremental_strategy=add`: an aggregate that adds the deltas of its fact's change log equals
/// the same aggregate built whole, through groups that appear, empty out and have NULL keys; a
/// `rebuild_when` query that finds a row builds it whole; deltas that do not add up fail the run.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct AddStrategyTests {
    static let prefix = "it_add"
    let connection: PGConnection
    let uri: String
    var raw: String { SQLIdentifier.qualified(Self.prefix + "_raw", "lines") }
    var wh: String { SQLIdentifier.quote(Self.prefix + "_wh") }

    init() throws {
        uri = try LiveServers.pgURI()
        connection = try LiveServers.freshSchemas([Self.prefix + "_raw", Self.prefix + "_meta", Self.prefix + "_wh"])
        try connection.execute("CREATE SCHEMA \(SQLIdentifier.quote(Self.prefix + "_raw"))")
        try connection.execute("CREATE TABLE \(raw) (order_id text, grp text, amount numeric, _run_id bigint)")
        try connection.execute("CREATE TABLE \(SQLIdentifier.qualified(Self.prefix + "_raw", "moves")) (at_run bigint)")
    }

    /// Order lines, rebuilt per order.
    static let fact = ModelFile(name: "fact_lines", text: """
        -- energize: materialized=incremental unique_key=order_id,grp scope=order_id
        SELECT order_id, grp, amount FROM {{ raw('lines') }}
        -- energize: changed_scopes
        SELECT order_id FROM {{ raw('lines') }} WHERE _run_id > {{ last_run_id }}
        UNION SELECT order_id FROM {{ this }} f WHERE NOT EXISTS (SELECT 1 FROM {{ raw('lines') }} r WHERE r.order_id = f.order_id)
        """)

    /// The fact (logging its changes) and the aggregate under test.
    /// - Parameters:
    ///   - extra: more columns of the aggregate's `SELECT` (and its deltas' `0` for them).
    ///   - aggregate: whether the aggregate is in the project.
    ///   - other: whether a second reader of the fact's changes, `agg_all`, is.
    func models(extra: String = "", aggregate: Bool = true, other: Bool = false) throws -> [Model] {
        let files = [
            Self.fact,
            ModelFile(name: "agg_groups", text: """
                -- energize: materialized=incremental incremental_strategy=add unique_key=grp count_column=orders
                SELECT grp, count(DISTINCT order_id) AS orders, sum(amount) AS amount\(extra) FROM {{ ref('fact_lines') }} GROUP BY grp
                -- energize: deltas
                SELECT grp, sum(energize_sign) AS orders, sum(amount) AS amount\(extra.isEmpty ? "" : ", 0 AS lines")
                FROM (SELECT grp, energize_sign, sum(energize_sign * amount) AS amount FROM {{ changes('fact_lines') }} f
                      GROUP BY grp, order_id, energize_run, energize_sign) o
                GROUP BY grp
                -- energize: rebuild_when
                SELECT 1 FROM {{ raw('moves') }} WHERE at_run > {{ last_run_id }}
                """),
        ]
        let all = ModelFile(name: "agg_all", text: """
            -- energize: materialized=incremental incremental_strategy=add unique_key=total count_column=orders
            SELECT 'all'::text AS total, count(DISTINCT order_id) AS orders FROM {{ ref('fact_lines') }} GROUP BY 1
            -- energize: deltas
            SELECT 'all'::text AS total, sum(energize_sign) AS orders
            FROM (SELECT order_id, energize_run, energize_sign FROM {{ changes('fact_lines') }} f GROUP BY 1, 2, 3) o
            """)
        let environment = ModelEnvironment(schemas: ["warehouse": Self.prefix + "_wh"], rawSchema: Self.prefix + "_raw")
        return try ModelCompiler(environment: environment).compile([files[0]] + (aggregate ? [files[1]] : []) + (other ? [all] : []))
    }

    /// Runs the models (all, or those selected) in run `runId`.
    @discardableResult
    func transform(_ runId: Int64, select: [String] = [], extra: String = "", aggregate: Bool = true,
                   other: Bool = false) async throws -> TransformReport {
        let uri = self.uri
        let runner = TransformRunner(graph: try ModelGraph(try models(extra: extra, aggregate: aggregate, other: other)),
                                     meta: WarehouseMeta(schema: Self.prefix + "_meta"),
                                     connect: { try PGConnection(uri) })
        return try await runner.run(RunContext(runId: runId, pipeline: "it_add", startedAt: 0), selection: ModelSelection(select))
    }

    /// The aggregate as a full build computes it, sorted, beside the table's rows.
    func compared() throws -> (table: [[String?]], whole: [[String?]]) {
        let table = try connection.execute("SELECT grp, orders, amount FROM \(wh).agg_groups ORDER BY grp NULLS FIRST").rows
        let whole = try connection.execute("""
            SELECT grp, count(DISTINCT order_id), sum(amount) FROM \(wh).fact_lines GROUP BY grp ORDER BY grp NULLS FIRST
            """).rows
        return (table, whole)
    }

    func insert(_ rows: [(String, String?, String)], run: Int64) throws {
        for (order, group, amount) in rows {
            try connection.execute("INSERT INTO \(raw) VALUES ($1, $2, $3::numeric, $4::bigint)", [order, group, amount, String(run)])
        }
    }

    @Test func addedDeltasEqualAWholeBuildThroughNewEmptiedAndNullGroups() async throws {
        try insert([("o1", "a", "10.50"), ("o1", "b", "1"), ("o2", "a", "4"), ("o3", nil, "7"), ("o4", "c", "2"), ("o9", "z", "5")], run: 1)
        #expect(try await transform(1).succeeded)
        #expect(try compared().table == [[nil, "1", "7"], ["a", "2", "14.50"], ["b", "1", "1"], ["c", "1", "2"], ["z", "1", "5"]])
        let untouched = try connection.execute("SELECT xmin::text FROM \(wh).agg_groups WHERE grp = 'z'").rows

        // o1 leaves group b (b empties out), o3 moves from NULL to a new group d, o4 is deleted
        // (c empties out), o5 lands in the NULL group, o2 is loaded again alike.
        try connection.execute("DELETE FROM \(raw) WHERE order_id IN ('o1', 'o3', 'o4', 'o2')")
        try insert([("o1", "a", "10.50"), ("o2", "a", "4"), ("o3", "d", "7"), ("o5", nil, "3.25")], run: 2)
        let report = try await transform(2)
        #expect(report.succeeded)
        #expect(report.models.first { $0.model == "agg_groups" }?.materialization == "incremental")
        let second = try compared()
        #expect(second.table == second.whole)
        #expect(second.table == [[nil, "1", "3.25"], ["a", "2", "14.50"], ["d", "1", "7"], ["z", "1", "5"]])
        // Added, not rebuilt: the row of a group no delta names was not written again.
        #expect(try connection.execute("SELECT xmin::text FROM \(wh).agg_groups WHERE grp = 'z'").rows == untouched)
        // A run with nothing changed adds nothing.
        #expect(try await transform(3).succeeded)
        #expect(try compared().table == second.table)
    }

    /// The fact runs twice before the aggregate does: an order changed in both runs has three line
    /// sets in the log, and counts once in its group, as in a whole build.
    @Test func deltasOfSeveralFactRunsAddUp() async throws {
        try insert([("o1", "a", "1")], run: 1)
        #expect(try await transform(1).succeeded)
        try insert([("o2", "b", "2")], run: 2)
        #expect(try await transform(2, select: ["fact_lines"]).succeeded)
        try connection.execute("UPDATE \(raw) SET amount = 5, _run_id = 3 WHERE order_id = 'o2'")
        #expect(try await transform(3, select: ["fact_lines"]).succeeded)
        let report = try await transform(4)
        #expect(report.succeeded, "\(report.models.compactMap(\.error))")
        let result = try compared()
        #expect(result.table == result.whole)
        #expect(result.table == [["a", "1", "1"], ["b", "1", "5"]])
    }

    /// The aggregate leaves the project for a run (another branch) while the fact changes. With
    /// another reader left, the log's rows of that run are consumed and pruned; with none, the fact
    /// stops logging and drops its log. Either way the aggregate, back, is built whole.
    @Test(arguments: [true, false])
    func aReaderBackAfterChangesItDidNotSeeIsBuiltWhole(otherReader: Bool) async throws {
        try insert([("o1", "a", "1"), ("o2", "b", "2")], run: 1)
        #expect(try await transform(1, other: otherReader).succeeded)
        try connection.execute("UPDATE \(raw) SET grp = 'c', _run_id = 2 WHERE order_id = 'o2'")
        #expect(try await transform(2, aggregate: false, other: otherReader).succeeded)
        let log = try connection.execute("SELECT to_regclass($1) IS NOT NULL", ["\(Self.prefix)_wh.fact_lines__energize_changes"]).rows
        #expect(log == [[otherReader ? "t" : "f"]])
        if otherReader {
            #expect(try connection.execute("SELECT change, run_id FROM \(wh).fact_lines__energize_changes WHERE change <> 'reset'").rows
                    == [["pruned", "2"]])
        }
        // Back, built on its own (the fact not built in this run).
        #expect(try await transform(3, select: ["agg_groups"], other: otherReader).succeeded)
        let back = try compared()
        #expect(back.table == back.whole)
        #expect(back.table == [["a", "1", "1"], ["c", "1", "2"]])
        // Built whole once: the log is there again, and the next run adds (group c is not rewritten).
        let untouched = try connection.execute("SELECT xmin::text FROM \(wh).agg_groups WHERE grp = 'c'").rows
        try connection.execute("UPDATE \(raw) SET amount = 4, _run_id = 4 WHERE order_id = 'o1'")
        #expect(try await transform(4, other: otherReader).succeeded)
        let next = try compared()
        #expect(next.table == next.whole)
        #expect(next.table == [["a", "1", "4"], ["c", "1", "2"]])
        #expect(try connection.execute("SELECT xmin::text FROM \(wh).agg_groups WHERE grp = 'c'").rows == untouched)
    }

    /// A changed definition: the sums were made by the old one, so the aggregate is built whole.
    @Test func aChangedDefinitionBuildsWhole() async throws {
        try insert([("o1", "a", "1"), ("o1", "b", "1"), ("o2", "a", "2")], run: 1)
        #expect(try await transform(1).succeeded)
        try insert([("o3", "a", "4")], run: 2)
        #expect(try await transform(2, extra: ", count(*) AS lines").succeeded)
        #expect(try connection.execute("SELECT grp, orders, amount, lines FROM \(wh).agg_groups ORDER BY grp").rows
                == [["a", "3", "7", "3"], ["b", "1", "1", "1"]])
    }

    /// A count_column that names no column fails the first build; deltas without one of the
    /// model's columns fail the incremental run, naming it.
    @Test func aWrongCountColumnOrDeltasColumnsFailTheBuildNamingThem() async throws {
        try insert([("o1", "a", "1")], run: 1)
        func run(_ runId: Int64, _ aggregate: String) async throws -> String? {
            let environment = ModelEnvironment(schemas: ["warehouse": Self.prefix + "_wh"], rawSchema: Self.prefix + "_raw")
            let models = try ModelCompiler(environment: environment).compile([Self.fact, ModelFile(name: "agg_groups", text: aggregate)])
            let uri = self.uri
            let runner = TransformRunner(graph: try ModelGraph(models), meta: WarehouseMeta(schema: Self.prefix + "_meta"),
                                         connect: { try PGConnection(uri) })
            let report = try await runner.run(RunContext(runId: runId, pipeline: "it_add", startedAt: 0))
            return report.models.first { $0.model == "agg_groups" }?.error
        }
        let header = "-- energize: materialized=incremental incremental_strategy=add unique_key=grp count_column="
        let body = "\nSELECT grp, count(DISTINCT order_id) AS orders, sum(amount) AS amount FROM {{ ref('fact_lines') }} GROUP BY grp\n-- energize: deltas\n"
        let wrongCount = try await run(1, header + "n_orders" + body + "SELECT grp, 1 AS orders, 0 AS amount FROM {{ changes('fact_lines') }} f")
        #expect(wrongCount?.contains("count_column= names no column of the model (n_orders)") == true, "\(wrongCount ?? "no error")")
        // Built whole first (nothing to add yet), then an incremental run reads the deltas.
        let wrongDeltas = header + "orders" + body + "SELECT grp, sum(energize_sign) AS orders, 1 AS lines FROM {{ changes('fact_lines') }} f GROUP BY grp"
        #expect(try await run(2, wrongDeltas) == nil)
        try insert([("o2", "a", "2")], run: 3)
        let missing = try await run(3, wrongDeltas)
        #expect(missing?.hasSuffix(#"the deltas section's columns differ from those of "it_add_wh"."agg_groups" (missing: amount; extra: lines)"#) == true,
                "\(missing ?? "no error")")
    }

    @Test func rebuildWhenBuildsWholeAndDeltasThatDoNotAddUpFailTheRun() async throws {
        try insert([("o1", "a", "1"), ("o2", "a", "2")], run: 1)
        #expect(try await transform(1).succeeded)
        // Rows changed behind the deltas' back: the next deltas would take o1 out of a group
        // that no longer counts it.
        try connection.execute("UPDATE \(wh).agg_groups SET orders = 0, amount = 0")
        try connection.execute("DELETE FROM \(raw) WHERE order_id = 'o1'")
        let failed = try await transform(2)
        #expect(!failed.succeeded)
        #expect(failed.models.first { $0.model == "agg_groups" }?.error?.contains("the deltas take orders below 0") == true)
        #expect(try connection.execute("SELECT orders FROM \(wh).agg_groups").rows == [["0"]], "the failed run changed nothing")
        // rebuild_when finds a row: built whole, right again.
        try connection.execute("INSERT INTO \(SQLIdentifier.qualified(Self.prefix + "_raw", "moves")) VALUES (3)")
        #expect(try await transform(3).succeeded)
        let rebuilt = try compared()
        #expect(rebuilt.table == rebuilt.whole)
        #expect(rebuilt.table == [["a", "1", "2"]])
    }
}
