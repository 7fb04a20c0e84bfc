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
    func column(_ table: String, _ field: String, _ type: String, as name: String? = nil) -> String {
        let alias = Quoting.quote(name ?? field)
        guard rawColumns[table]?.contains(field) == true else { return "NULL::\(type) AS \(alias)" }
        let value = "r.\(Quoting.quote(field))"
        return (type == "text" ? "trim(\(value)::text)" : "\(value)::\(type)") + " AS \(alias)"
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
