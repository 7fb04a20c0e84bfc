import EnergizeCore

/// A data test: a query for the rows that break a rule; the test passes when there are none.
public struct DataTest: Sendable, Hashable {
    /// What the test checks.
    public enum Kind: Sendable, Hashable {
        /// No two rows share these columns.
        case unique([String])
        /// No row has a null in this column.
        case notNull(String)
        /// Every non-null value of the column (as text) is one of the listed values.
        case acceptedValues(String, [String])
        /// Every value of `column` is a value of `toColumn` in model `to`.
        case relationship(column: String, to: String, toColumn: String)
        /// Exactly one current version per natural key (SCD2).
        case oneCurrentVersion(key: String)
        /// No two versions of a key overlap in time (SCD2).
        case noOverlappingVersions(key: String)
        /// A project's own test: a `SELECT` of the offending rows (none when the test passes).
        case query(name: String, sql: String)
    }

    /// The model it checks (for a `.query` test, the model it is filed under).
    public var model: String
    /// What it checks.
    public var kind: Kind
    /// Rows the test ignores (e.g. `device_sk <> -1` for the unknown member).
    public var filter: String?
    /// Models a `.query` test reads besides ``model`` (`{{ ref('m') }}`).
    public var reads: [String] = []
    /// Raw tables a `.query` test reads (`{{ raw('t') }}`).
    public var sources: [TableName] = []

    /// The models the test reads: its model, a relationship's target, a query's refs.
    public var models: [String] {
        var names = [model]
        if case .relationship(_, let to, _) = kind { names.append(to) }
        for name in reads where !names.contains(name) { names.append(name) }
        return names
    }

    /// A data test.
    /// - Parameters:
    ///   - model: the model it checks (for a `.query` test, the model it is filed under).
    ///   - kind: what it checks.
    ///   - filter: a SQL condition on the model's rows; the others are ignored.
    public init(model: String, _ kind: Kind, filter: String? = nil) {
        self.model = model
        self.kind = kind
        self.filter = filter
    }

    /// A stable name: `unique(fact_orders: order_id, line_number)`, with ` where <filter>` when
    /// the test has a filter (two tests that differ only by their filter are two tests).
    public var name: String {
        kindName + (filter.map { " where \($0)" } ?? "")
    }

    private var kindName: String {
        switch kind {
        case .unique(let columns): "unique(\(model): \(columns.joined(separator: ", ")))"
        case .notNull(let column): "not_null(\(model).\(column))"
        case .acceptedValues(let column, _): "accepted_values(\(model).\(column))"
        case .relationship(let column, let to, let toColumn): "relationship(\(model).\(column) → \(to).\(toColumn))"
        case .oneCurrentVersion(let key): "one_current_version(\(model): \(key))"
        case .noOverlappingVersions(let key): "no_overlapping_versions(\(model): \(key))"
        case .query(let name, _): name
        }
    }

    /// A query returning one text column describing each offending row or key, and its
    /// parameters (accepted values travel as a text array, never in the SQL text).
    /// - Parameter relation: maps a model name to its quoted relation.
    public func failuresQuery(_ relation: (String) -> String) -> (sql: String, parameters: [String?]) {
        switch kind {
        case .acceptedValues(let column, let values):
            let andFilter = filter.map { " AND \($0)" } ?? ""
            return ("SELECT DISTINCT \(SQLIdentifier.quote(column))::text FROM \(relation(model)) WHERE \(SQLIdentifier.quote(column)) IS NOT NULL AND NOT (\(SQLIdentifier.quote(column))::text = ANY ($1::text[]))\(andFilter)",
                    [PostgresArray.text(values)])
        default:
            return (sql(relation), [])
        }
    }

    private func sql(_ relation: (String) -> String) -> String {
        let table = relation(model)
        let whereFilter = filter.map { " WHERE \($0)" } ?? ""
        let andFilter = filter.map { " AND \($0)" } ?? ""
        switch kind {
        case .unique(let columns):
            let list = SQLIdentifier.list(columns)
            return "SELECT concat_ws(', ', \(list)) || ' (' || count(*) || ' rows)' FROM \(table)\(whereFilter) GROUP BY \(list) HAVING count(*) > 1"
        case .notNull(let column):
            return "SELECT row_to_json(t)::text FROM \(table) t WHERE \(SQLIdentifier.quote(column)) IS NULL\(andFilter)"
        case .acceptedValues:
            preconditionFailure("accepted values are answered by failuresQuery with parameters")
        case .relationship(let column, let to, let toColumn):
            return """
                SELECT DISTINCT t.\(SQLIdentifier.quote(column))::text FROM \(table) t WHERE t.\(SQLIdentifier.quote(column)) IS NOT NULL\(andFilter)
                AND NOT EXISTS (SELECT 1 FROM \(relation(to)) r WHERE r.\(SQLIdentifier.quote(toColumn)) = t.\(SQLIdentifier.quote(column)))
                """
        case .oneCurrentVersion(let key):
            let k = SQLIdentifier.quote(key)
            return """
                SELECT \(k)::text || ' (' || count(*) FILTER (WHERE is_current) || ' current)' FROM \(table)\(whereFilter)
                GROUP BY \(k) HAVING count(*) FILTER (WHERE is_current) > 1
                  OR (count(*) FILTER (WHERE is_current) = 0 AND bool_and(valid_to IS NOT NULL) IS NOT TRUE)
                """
        case .noOverlappingVersions(let key):
            let k = SQLIdentifier.quote(key)
            return """
                SELECT a.\(k)::text || ' ' || a.valid_from || '…' || coalesce(a.valid_to::text, 'open') FROM \(table) a
                JOIN \(table) b ON a.\(k) = b.\(k) AND a.ctid <> b.ctid
                  AND a.valid_from < coalesce(b.valid_to, 'infinity') AND b.valid_from < coalesce(a.valid_to, 'infinity')
                \(filter.map { "WHERE a.\($0)" } ?? "")
                """
        case .query(_, let query):
            return "SELECT row_to_json(t)::text FROM (\(query)) t"
        }
    }
}

/// The outcome of one data test.
public struct DataTestResult: Sendable, Hashable {
    /// The test's name (``DataTest/name``).
    public var name: String
    /// The model it checked.
    public var model: String
    /// How many rows or keys break the rule (0 when the test's query failed: see `error`).
    public var failures: Int
    /// A few offending rows or keys.
    public var sample: [String]
    /// Why the test's query could not run — the test is broken, not the data (a column that is
    /// not there, say); nil when it ran.
    public var error: String? = nil
    /// The run whose passing result stands for this one: the test was not run again because its
    /// query and everything it reads are as they were then; nil when the test ran.
    public var reusedFrom: Int64? = nil
    /// Whether the test ran and nothing breaks the rule.
    public var passed: Bool { failures == 0 && error == nil }
}

/// Runs data tests and stores their results with the run.
public struct DataTestRunner: Sendable {
    /// The tests.
    public var tests: [DataTest]
    /// The models they read (for their relations).
    public var graph: ModelGraph
    /// Where the results are recorded.
    public var meta: WarehouseMeta

    /// A runner of `tests`.
    /// - Parameters:
    ///   - tests: the tests.
    ///   - graph: the models they read; a name not in it is read as an unqualified relation.
    ///   - meta: where the results are recorded (default: `energize_meta`).
    public init(tests: [DataTest], graph: ModelGraph, meta: WarehouseMeta = WarehouseMeta()) {
        self.tests = tests
        self.graph = graph
        self.meta = meta
    }

    /// Runs the tests of the `models` (all when nil) on `executor`; a test whose query fails counts as failed.
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - runId: the run the results are recorded under.
    ///   - models: the models whose tests run; nil for all.
    /// - Returns: one result per test run, in the order of `tests`.
    /// - Throws: when the results cannot be recorded.
    public func run(_ executor: any SQLExecutor, runId: Int64, models: Set<String>? = nil) throws -> [DataTestResult] {
        try meta.create(executor)
        return try tests.filter { models?.contains($0.model) ?? true }.map { try evaluate($0, on: executor, runId: runId) }
    }

    /// Runs the tests of the `models` (all when nil) on up to `concurrency` connections at once,
    /// each on a thread of its own; a test whose query fails is an error (its result's `error`).
    /// - Parameters:
    ///   - connect: opens a connection to the warehouse (the runner closes each one).
    ///   - concurrency: connections used at the same time (at least 1).
    ///   - runId: the run the results are recorded under.
    ///   - models: the models whose tests run; nil for all.
    ///   - skipping: models whose tests, and every test reading them, do not run (not built in
    ///     this run: their tables are not what the tests would judge).
    ///   - reusePassed: a test whose query and inputs are as they were at its last run, which
    ///     passed, is not run again: its result is that run's, recorded as `unchanged`.
    /// - Returns: one result per test run, in the order of `tests`.
    /// - Throws: when a connection cannot be opened or the results cannot be recorded.
    public func run(connect: @escaping @Sendable () throws -> any SQLExecutor, concurrency: Int, runId: Int64,
                    models: Set<String>? = nil, skipping: Set<String> = [], reusePassed: Bool = false) async throws -> [DataTestResult] {
        let selected = tests.filter { (models?.contains($0.model) ?? true) && !$0.models.contains(where: skipping.contains) }
        let (seen, lastRuns) = try await onOwnThread { [meta, graph, self] in
            let setup = try connect()
            defer { setup.close() }
            try meta.create(setup)
            let versions = try InputVersions(graph: graph, on: setup, meta: meta)
            return (selected.map { Seen($0, query: query(of: $0), versions: versions, on: setup) },
                    reusePassed ? try meta.lastTestRuns(setup) : [:])
        }
        var reusing: [(Int, DataTestResult)] = []
        var running: [Int] = []
        for (index, test) in selected.enumerated() {
            let seen = seen[index]
            if let last = lastRuns[test.name], last.passed, let version = seen.inputsVersion, last.inputsVersion == version,
               last.fingerprint == seen.fingerprint, !seen.readsTheClock {
                reusing.append((index, DataTestResult(name: test.name, model: test.model, failures: 0,
                                                     sample: ["not run again: its query and what it reads are as they were in run \(last.runId), where it passed"],
                                                     reusedFrom: last.runId)))
            } else {
                running.append(index)
            }
        }
        let reused = reusing, toRun = running
        if !reused.isEmpty {
            try await onOwnThread { [meta] in
                let executor = try connect()
                defer { executor.close() }
                try executor.inTransaction {
                    for (index, result) in reused {
                        try meta.recordTest(executor, runId: runId, result, fingerprint: seen[index].fingerprint, inputsVersion: seen[index].inputsVersion)
                    }
                }
            }
        }
        let workers = max(1, min(concurrency, toRun.count))
        return try await withThrowingTaskGroup(of: [(Int, DataTestResult)].self) { group in
            for worker in 0..<workers where worker < toRun.count {
                group.addTask {
                    try await onOwnThread { [self] in
                        let executor = try connect()
                        defer { executor.close() }
                        try executor.run(WithoutJIT.inSession, [])
                        return try stride(from: worker, to: toRun.count, by: workers).map {
                            (toRun[$0], try evaluate(selected[toRun[$0]], on: executor, runId: runId, seen: seen[toRun[$0]]))
                        }
                    }
                }
            }
            var results = reused
            for try await part in group { results += part }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// What a test's result depends on: its query's fingerprint and its inputs' version.
    private struct Seen {
        let fingerprint: String
        let inputsVersion: Int64?
        let readsTheClock: Bool

        /// - Parameters:
        ///   - test: the test.
        ///   - query: its failures query.
        ///   - versions: the inputs' versions, read before it runs (nil: unknown).
        ///   - executor: where its query is planned to find what it reads.
        init(_ test: DataTest, query: (sql: String, parameters: [String?]), versions: InputVersions?, on executor: (any SQLExecutor)?) {
            let text = query.sql + "\n" + query.parameters.map { $0 ?? "NULL" }.joined(separator: "\n")
            fingerprint = Fingerprint.of(text)
            if let versions, let executor {
                inputsVersion = versions.inputsVersion(of: query.sql, parameters: query.parameters, models: test.models, sources: test.sources, on: executor)
            } else {
                inputsVersion = nil
            }
            readsTheClock = SQLClock.isRead(by: query.sql)
        }
    }

    private func query(of test: DataTest) -> (sql: String, parameters: [String?]) {
        test.failuresQuery { graph.models[$0]?.relation ?? SQLIdentifier.quote($0) }
    }

    /// Runs one test and records its result, with what it saw (`seen`, taken before it ran).
    private func evaluate(_ test: DataTest, on executor: any SQLExecutor, runId: Int64, seen: Seen? = nil) throws -> DataTestResult {
        let query = query(of: test)
        var result: DataTestResult
        do {
            let count = Int(try executor.scalar("SELECT count(*) FROM (\(query.sql)) f", query.parameters) ?? "0") ?? 0
            let sample = count == 0 ? [] : try executor.run("\(query.sql) LIMIT 5", query.parameters).compactMap { $0.first ?? nil }
            result = DataTestResult(name: test.name, model: test.model, failures: count, sample: sample)
        } catch {
            result = DataTestResult(name: test.name, model: test.model, failures: 0, sample: [], error: "\(error)")
        }
        let seen = seen ?? Seen(test, query: query, versions: nil, on: nil)
        try meta.recordTest(executor, runId: runId, result, fingerprint: seen.fingerprint, inputsVersion: seen.inputsVersion)
        return result
    }
}
