/// The column names of one raw table's fields, stable across runs, and the naming rule for
/// names PostgreSQL cannot hold.
///
/// A field keeps its own name as its column's name. Only names PostgreSQL cannot hold get
/// another, deterministically (`columnName(for:)`):
/// - longer than 63 bytes: its first bytes (cut at a character boundary, at most 54 bytes),
///   `~`, and 8 hex digits of the FNV-1a hash of the whole name;
/// - empty, or one of energize's own columns (`_loaded_at`, `_run_id`): the name, `~`, and
///   the 8 hex digits.
/// When that column is already another field's, the field gets `distinctColumnName(for:)`,
/// then a numeric suffix. Names that differ from their field are persisted in
/// `energize_meta.column_names`, so later runs map the same way (see docs/types.md, "Names").
struct ColumnNaming {
    private(set) var columnByField: [String: String] = [:]
    private var fieldByColumn: [String: String] = [:]
    /// Mappings made since `init` that differ from the field's own name (to persist).
    private(set) var newMappings: [(column: String, field: String)] = []

    /// - Parameters:
    ///   - columns: the table's existing columns.
    ///   - mappings: recorded `column → field` names for columns that differ from their field.
    init(columns: [String], mappings: [String: String]) {
        for column in columns where !Self.reservedColumns.contains(column) {
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
        var candidate = Self.columnName(for: field)
        if isTaken(candidate) { candidate = Self.distinctColumnName(for: field) }
        var suffix = 2
        let base = candidate
        while isTaken(candidate) {
            candidate = Self.prefix(base, bytes: 58) + "~" + String(suffix)
            suffix += 1
        }
        columnByField[field] = candidate
        fieldByColumn[candidate] = field
        if candidate != field { newMappings.append((candidate, field)) }
        return candidate
    }

    private func isTaken(_ column: String) -> Bool {
        fieldByColumn[column] != nil || Self.reservedColumns.contains(column)
    }
}

extension ColumnNaming {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1).
    static let maxBytes = 63

    /// Columns energize adds to every raw table.
    static let reservedColumns: Set<String> = ["_loaded_at", "_run_id"]

    /// The column name PostgreSQL stores for a field: the field's own name when it fits.
    static func columnName(for field: String) -> String {
        if field.isEmpty || reservedColumns.contains(field) { return field + "~" + hash8(field) }
        guard field.utf8.count > maxBytes else { return field }
        return prefix(field, bytes: 54) + "~" + hash8(field)
    }

    /// The longer form for a name whose short form is taken: at most 45 bytes of it, `~`,
    /// and 16 hex digits of its 64-bit FNV-1a hash.
    static func distinctColumnName(for field: String) -> String {
        prefix(field, bytes: 45) + "~" + hash16(field)
    }

    /// A deterministic name for an index or constraint, made to fit the limit.
    static func derivedName(_ parts: String...) -> String {
        columnName(for: parts.joined(separator: "_"))
    }

    /// The longest prefix of `text` of at most `limit` UTF-8 bytes, cut at a character boundary.
    static func prefix(_ text: String, bytes limit: Int) -> String {
        var prefix = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > limit { break }
            prefix.append(character)
            bytes += size
        }
        return prefix
    }

    /// 16 hex digits of the 64-bit FNV-1a hash of `text`.
    static func hash16(_ text: String) -> String {
        fnv1a(text, offset: UInt64(0xcbf2_9ce4_8422_2325), prime: 0x0000_0100_0000_01b3)
    }

    /// 8 hex digits of the 32-bit FNV-1a hash of `text`.
    static func hash8(_ text: String) -> String {
        fnv1a(text, offset: UInt32(2_166_136_261), prime: 16_777_619)
    }

    /// The FNV-1a hash of `text`'s UTF-8 bytes, as zero-padded lower-case hex.
    private static func fnv1a<H: FixedWidthInteger & UnsignedInteger>(_ text: String, offset: H, prime: H) -> String {
        var hash = offset
        for byte in text.utf8 {
            hash ^= H(byte)
            hash = hash &* prime
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: H.bitWidth / 4 - hex.count) + hex
    }
}
