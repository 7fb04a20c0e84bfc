import EnergizeCore

/// Encodes batches in PostgreSQL's COPY text format, straight from the columns.
///
/// One line per row, columns separated by tabs, `\N` for NULL; backslash, newline,
/// carriage return and tab inside values are escaped, so any text (including a lone
/// `\.` line) round-trips unchanged.
package enum CopyTextEncoder {
    /// The COPY text of the rows of `batch`, in the batch's column order.
    package static func encode(_ batch: RecordBatch) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(batch.rowCount * batch.columns.count * 12)
        for row in 0..<batch.rowCount {
            for column in batch.columns.indices {
                if column > 0 { out.append(UInt8(ascii: "\t")) }
                append(batch.columns[column][row], to: &out)
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// Encodes rows of arbitrary fields (already text or NULL), for bookkeeping tables.
    package static func encode(rows: [[String?]]) -> [UInt8] {
        var out: [UInt8] = []
        for row in rows {
            for (index, field) in row.enumerated() {
                if index > 0 { out.append(UInt8(ascii: "\t")) }
                if let field { appendEscaped(field, to: &out) } else { out.append(contentsOf: nullMarker) }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private static let nullMarker: [UInt8] = Array("\\N".utf8)

    /// Appends one value's COPY text.
    static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: nullMarker)
        case .bool(let b): out.append(b ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .int32(let n): NumberText.appendDecimal(Int64(n), to: &out)
        case .int64(let n): NumberText.appendDecimal(n, to: &out)
        case .double(let d): out.append(contentsOf: NumberText.double(d).utf8)
        case .decimal(let text): out.append(contentsOf: text.utf8)
        case .string(let text): appendEscaped(text, to: &out)
        case .objectId(let hex): out.append(contentsOf: hex.utf8)
        case .date(let ms): CivilTime(millisecondsSinceEpoch: ms).appendPostgresText(to: &out)
        case .document, .array: JSONText.append(value, to: &out, backslash: .doubledForCopy)
        case .binary(let subtype, let bytes):
            switch BinaryMapping.columnType(subtype: subtype, count: bytes.count) {
            case .uuid: out.append(contentsOf: UUIDText.format(bytes).utf8)
            case .bytea:
                // bytea hex input `\x…`, its backslash escaped for COPY.
                out.append(contentsOf: Array("\\\\x".utf8))
                let digits = Array("0123456789abcdef".utf8)
                for byte in bytes {
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0f)])
                }
            default: JSONText.append(value, to: &out, backslash: .doubledForCopy)
            }
        }
    }

    /// Appends text with COPY's escapes.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied at once.
            var pending = 0
            for index in 0..<utf8.count {
                let escape: UInt8
                switch utf8[index] {
                case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending..<index]))
                out.append(UInt8(ascii: "\\"))
                out.append(escape)
                pending = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending..<utf8.count]))
        }
    }
}
