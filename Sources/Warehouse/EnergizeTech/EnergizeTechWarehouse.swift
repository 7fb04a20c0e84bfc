import EnergizeCore

/// The EnergizeTech model set (warehouse.md §2–§6): staging views, SCD2 customer and
/// product dimensions, the store and date dimensions, incremental facts, aggregates,
/// marts, and the data tests of §6.
public struct EnergizeTechWarehouse: Sendable {
    /// Where the raw tables are (`public` by default).
    public var rawSchema: String
    public var stagingSchema: String
    public var warehouseSchema: String
    /// The columns each raw table has; a contract column a table lacks (a field that never
    /// held a value) reads as NULL of its type.
    public var rawColumns: [String: Set<String>]

    /// Creates an `EnergizeTechWarehouse` from its parts.
    public init(rawSchema: String = "public", stagingSchema: String = "staging", warehouseSchema: String = "warehouse",
                rawColumns: [String: Set<String>]) {
        self.rawSchema = rawSchema
        self.stagingSchema = stagingSchema
        self.warehouseSchema = warehouseSchema
        self.rawColumns = rawColumns
    }

    /// Business dates are taken in this time zone.
    public static let timeZone = "America/Sao_Paulo"

    func raw(_ table: String) -> String { Quoting.qualified(rawSchema, table) }
    func stg(_ name: String) -> String { Quoting.qualified(stagingSchema, name) }
    func wh(_ name: String) -> String { Quoting.qualified(warehouseSchema, name) }

    /// `"field"::type`, trimmed for text, or `NULL::type` when the raw table lacks the column.
    /// Identifiers (`_id`, `*_id`, `sku`) are not trimmed: kept as they are, they stay
    /// comparable with the raw tables and their indexes serve the incremental lookups.
    func column(_ table: String, _ field: String, _ type: String, as name: String? = nil) -> String {
        let alias = Quoting.quote(name ?? field)
        guard rawColumns[table]?.contains(field) == true else { return "NULL::\(type) AS \(alias)" }
        let value = "r.\(Quoting.quote(field))"
        let identifier = field.hasSuffix("_id") || field == "sku"
        return (type == "text" && !identifier ? "trim(\(value)::text)" : "\(value)::\(type)") + " AS \(alias)"
    }

    /// `YYYYMMDD` of a timestamp's date in São Paulo.
    static func dateKey(_ timestamp: String) -> String {
        "to_char((\(timestamp) AT TIME ZONE '\(timeZone)')::date, 'YYYYMMDD')::integer"
    }

    /// All models.
    public var models: [Model] { staging + dimensions + facts + marts }

    /// All data tests.
    public var tests: [DataTest] { EnergizeTechTests.all }
}

extension EnergizeTechWarehouse {
    /// The built-in models plus user models from `.sql` files (which may refer to built-in
    /// models, to each other and to raw tables).
    /// - Throws: `SQLModelFile.Invalid` naming the file and the problem, or `ModelGraph.Invalid`.
    public func models(adding files: [SQLModelFile]) throws -> [Model] {
        let builtIn = models
        var relations = Dictionary(uniqueKeysWithValues: builtIn.map { ($0.name, $0.relation) })
        // First pass: where each user model lives (its schema may be set in its header).
        for file in files {
            let model = try file.model(relation: { _ in "" }, raw: raw, defaultSchema: warehouseSchema)
            guard relations[model.name] == nil else {
                throw SQLModelFile.Invalid(description: "\(file.path): a model named \(model.name) already exists")
            }
            relations[model.name] = model.relation
        }
        let user = try files.map { try $0.model(relation: { relations[$0] }, raw: raw, defaultSchema: warehouseSchema) }
        return builtIn + user
    }
}

extension EnergizeTechWarehouse {
    /// Records sale lines that cannot be typed (a quantity of `"two"`, say) in the raw schema's
    /// `_rejects`, once per document and reason, instead of failing the run; their other lines load.
    /// - Returns: how many were recorded now.
    @discardableResult
    public func recordItemRejects(_ executor: any SQLExecutor, runId: Int64) throws -> Int {
        let rejects = raw("_rejects")
        let rows = try executor.run("""
            WITH new AS (
              INSERT INTO \(rejects) (run_id, collection, document_id, reason, document)
              SELECT $1, 'sales', r._id, 'sale ' || r.sale_id || ' ' || r.reason, r.item FROM \(stg("stg_sale_item_rejects")) r
              WHERE NOT EXISTS (SELECT 1 FROM \(rejects) x WHERE x.collection = 'sales' AND x.document_id = r._id
                AND x.reason = 'sale ' || r.sale_id || ' ' || r.reason)
              RETURNING 1)
            SELECT count(*) FROM new
            """, [String(runId)])
        return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }
}
