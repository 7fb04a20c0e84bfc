/// Quoting and naming of PostgreSQL identifiers.
///
/// Every identifier that reaches SQL goes through `quote`. A field keeps its own name as
/// its column's name. Only names PostgreSQL cannot hold get another, deterministically:
/// - longer than 63 bytes: its first bytes (cut at a character boundary, at most 54 bytes),
///   `~`, and 8 hex digits of the FNV-1a hash of the whole name;
/// - empty, or one of energize's own columns (`_loaded_at`, `_run_id`): the name, `~`, and
///   the 8 hex digits.
/// `ColumnNaming` resolves the rare collision of two such names in one table, and
/// `energize_meta.column_names` records every column whose name differs from its field.
public enum SQLIdentifier {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1).
    public static let maxBytes = 63

    /// `name` as a quoted identifier: `"na""me"`.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `schema.name`, both quoted.
    public static func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// The column name PostgreSQL stores for a field: the field's own name when it fits.
    public static func columnName(for field: String) -> String {
        if field.isEmpty || reservedColumns.contains(field) { return field + "~" + hash8(field) }
        guard field.utf8.count > maxBytes else { return field }
        return prefix(field, bytes: 54) + "~" + hash8(field)
    }

    /// Columns energize adds to every raw table.
    public static let reservedColumns: Set<String> = ["_loaded_at", "_run_id"]

    /// The longer form for a name whose short form is taken: at most 45 bytes of it, `~`,
    /// and 16 hex digits of its 64-bit FNV-1a hash.
    public static func distinctColumnName(for field: String) -> String {
        prefix(field, bytes: 45) + "~" + hash16(field)
    }

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

    /// A deterministic name for an index or constraint, made to fit the limit.
    public static func derivedName(_ parts: String...) -> String {
        columnName(for: parts.joined(separator: "_"))
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
