import EnergizeCore
import Foundation

/// The versions of what models and data tests read (`ChangeMarks` (EnergizeCore)), as a transform sees
/// them: a model is left as it is when its definition and the largest version among its inputs
/// are those its last build saw; a data test is not run again when its query and its inputs'
/// version are those of its last passing run. Inputs are what PostgreSQL's plan of the SQL scans
/// (so a table named without `ref`/`raw` counts) and what the model declares; a table without a
/// mark (one energize does not load or build) makes the version unknown, and the model is built.
struct InputVersions {
    /// The project's models.
    let graph: ModelGraph
    /// Each marked relation's version.
    let versions: [TableName: Int64]
    /// The SCD2 dimension whose ``SCD2Ranges`` each ranges table holds: its rows change with the
    /// dimension's, in the same transaction, so its version is the dimension's.
    let rangesOf: [TableName: String]

    /// The versions as the database holds them now.
    /// - Parameters:
    ///   - graph: the project's models.
    ///   - executor: a connection to the warehouse.
    ///   - meta: the meta schema holding the marks.
    init(graph: ModelGraph, on executor: any SQLExecutor, meta: WarehouseMeta) throws {
        self.graph = graph
        versions = try meta.marks.versions(executor)
        var rangesOf: [TableName: String] = [:]
        for model in graph.order.compactMap(graph.model) {
            if let dimension = model.materialization as? SCD2Dimension {
                rangesOf[dimension.ranges(schema: model.schema, name: model.name).table] = model.name
            }
        }
        self.rangesOf = rangesOf
    }

    /// The version of a model's rows as its readers see them: a table's own mark; a view's the
    /// largest of its own (its definition) and its inputs' (its rows change with them); nil when
    /// one of them is unknown.
    /// - Parameter name: the model's name (an unknown name has no version).
    func version(ofModel name: String) -> Int64? {
        guard let transform = graph.models[name] else { return nil }
        let own = versions[TableName(schema: transform.schema, name: transform.name)]
        guard let model = transform as? Model, model.materialization is ViewMaterialization else { return own }
        guard let own, let inputs = inputsVersion(models: model.dependencies, sources: model.sources) else { return nil }
        return max(own, inputs)
    }

    /// The largest version among what `sql` reads as PostgreSQL plans it (every table it scans,
    /// through views, however the SQL names it) and the declared models and raw tables; nil when
    /// one is unknown or the SQL cannot be planned.
    /// - Parameters:
    ///   - sql: a `SELECT` (a model's, a test's query).
    ///   - parameters: its parameters' values.
    ///   - models: the names of the models it declares it reads.
    ///   - sources: the raw tables it declares it reads.
    ///   - executor: a connection to plan it on (nothing is executed).
    func inputsVersion(of sql: String, parameters: [String?] = [], models: [String], sources: [TableName],
                       on executor: any SQLExecutor) -> Int64? {
        guard let planned = try? Self.scannedTables(sql, parameters: parameters, on: executor) else { return nil }
        return inputsVersion(models: models, sources: sources + planned)
    }

    /// The tables PostgreSQL's plan of `sql` scans (temporary tables left out).
    static func scannedTables(_ sql: String, parameters: [String?], on executor: any SQLExecutor) throws -> [TableName] {
        guard let text = try executor.scalar("EXPLAIN (VERBOSE, FORMAT JSON) \(sql)", parameters),
              let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [] }
        var tables: [TableName] = []
        func visit(_ node: Any) {
            if let object = node as? [String: Any] {
                if let name = object["Relation Name"] as? String, let schema = object["Schema"] as? String,
                   !schema.hasPrefix("pg_temp"), !tables.contains(TableName(schema: schema, name: name)) {
                    tables.append(TableName(schema: schema, name: name))
                }
                object.values.forEach(visit)
            } else if let array = node as? [Any] {
                array.forEach(visit)
            }
        }
        visit(json)
        return tables
    }

    /// The largest version among the models and raw tables read; nil when one is unknown.
    /// - Parameters:
    ///   - models: the names of the models read.
    ///   - sources: the raw tables read.
    func inputsVersion(models: [String], sources: [TableName]) -> Int64? {
        var largest: Int64 = 0
        for name in models {
            guard let version = version(ofModel: name) else { return nil }
            largest = max(largest, version)
        }
        for source in sources {
            let version = if let dimension = rangesOf[source] { version(ofModel: dimension) } else { versions[source] }
            guard let version else { return nil }
            largest = max(largest, version)
        }
        return largest
    }
}

extension Model {
    /// Whether the model can be left as its last build made it: not a full refresh, no change log
    /// it reads was reset, its relation is there and of its kind, its definition and its inputs'
    /// version are those the build saw, and (for a table) its SQL does not read the clock.
    /// - Parameters:
    ///   - state: what its last build saw (nil before the first).
    ///   - context: this run's context for the model.
    ///   - fingerprint: its definition's fingerprint now.
    ///   - inputsVersion: the largest version among its inputs now (nil: unknown).
    func isUnchanged(since state: WarehouseMeta.BuildState?, context: PlanContext, fingerprint: String, inputsVersion: Int64?) -> Bool {
        guard !context.fullRefresh, !context.changeLogsReset, !context.rebuildWhenMet, let state, let inputsVersion,
              state.fingerprint == fingerprint, state.inputsVersion == inputsVersion else { return false }
        let isView = materialization is ViewMaterialization
        switch context.relation {
        case .missing: return false
        case .view: return isView
        case .table: guard !isView else { return false }
        }
        // A view's rows are computed when read; a table's are those of its build: one whose SQL
        // reads the clock or draws random values may differ with nothing else changed.
        return isView || !SQLClock.isRead(by: definition)
    }
}

/// Whether SQL text reads the clock or draws random values (`now()`, `current_date`,
/// `random()`, …): what makes a result differ between two runs over the same rows.
enum SQLClock {
    private static let pattern = try! NSRegularExpression(
        pattern: #"\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|random|gen_random_uuid|txid_current)\s*\(|\b(current_date|current_timestamp|current_time|localtime|localtimestamp)\b"#,
        options: [.caseInsensitive])

    /// Whether `sql` reads the clock or draws random values.
    /// - Parameter sql: SQL text (comments included: a mention there counts, which only costs a rebuild).
    static func isRead(by sql: String) -> Bool {
        pattern.firstMatch(in: sql, range: NSRange(sql.startIndex..., in: sql)) != nil
    }
}

/// A short, stable fingerprint of a text (64-bit FNV-1a, as hex): the same text gives the same
/// fingerprint in every process and build.
enum Fingerprint {
    /// The fingerprint of `text`.
    /// - Parameter text: a model's definition or a test's query.
    static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
