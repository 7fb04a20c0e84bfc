/// The column names of one raw table's fields, stable across runs.
///
/// A field keeps its name when PostgreSQL can hold it (`SQLIdentifier.columnName`); when
/// that column is already another field's, the field gets `SQLIdentifier.distinctColumnName`,
/// then a numeric suffix. Names that differ from their field are persisted in
/// `energize_meta.column_names`, so later runs map the same way.
struct ColumnNaming {
    private(set) var columnByField: [String: String] = [:]
    private var fieldByColumn: [String: String] = [:]
    /// Mappings made since `init` that differ from the field's own name (to persist).
    private(set) var newMappings: [(column: String, field: String)] = []

    /// - Parameters:
    ///   - columns: the table's existing columns.
    ///   - mappings: recorded `column → field` names for columns that differ from their field.
    init(columns: [String], mappings: [String: String]) {
        for column in columns where !SQLIdentifier.reservedColumns.contains(column) {
            let field = mappings[column] ?? column
            columnByField[field] = column
            fieldByColumn[column] = field
        }
    }

    /// The field a column holds.
    func field(for column: String) -> String { fieldByColumn[column] ?? column }

    /// The column for `field`, assigning one if the field is new.
    mutating func column(for field: String) -> String {
        if let column = columnByField[field] { return column }
        var candidate = SQLIdentifier.columnName(for: field)
        if isTaken(candidate) { candidate = SQLIdentifier.distinctColumnName(for: field) }
        var suffix = 2
        let base = candidate
        while isTaken(candidate) {
            candidate = SQLIdentifier.prefix(base, bytes: 58) + "~" + String(suffix)
            suffix += 1
        }
        columnByField[field] = candidate
        fieldByColumn[candidate] = field
        if candidate != field { newMappings.append((candidate, field)) }
        return candidate
    }

    private func isTaken(_ column: String) -> Bool {
        fieldByColumn[column] != nil || SQLIdentifier.reservedColumns.contains(column)
    }
}
