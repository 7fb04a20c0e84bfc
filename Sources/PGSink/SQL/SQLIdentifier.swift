/// Quoting and naming of PostgreSQL identifiers.
///
/// Every identifier that reaches SQL goes through `quote`. A field keeps its own name as
/// its column's name; only a name longer than PostgreSQL's 63-byte limit is shortened,
/// deterministically: its first bytes (cut at a character boundary, at most 54 bytes),
/// `~`, and 8 hex digits of the FNV-1a hash of the whole name — so two long names that
/// share a prefix get different columns.
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
        guard field.utf8.count > maxBytes else { return field }
        var prefix = ""
        var bytes = 0
        for character in field {
            let size = character.utf8.count
            if bytes + size > 54 { break }
            prefix.append(character)
            bytes += size
        }
        return prefix + "~" + hash8(field)
    }

    /// A deterministic name for an index or constraint, made to fit the limit.
    public static func derivedName(_ parts: String...) -> String {
        columnName(for: parts.joined(separator: "_"))
    }

    static func hash8(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
