import Foundation

/// Lossless JSON text of values, for `jsonb` columns and the rejects table.
///
/// Decimals keep every digit (as JSON numbers), 64-bit integers are written exactly,
/// dates become ISO-8601 UTC strings, ObjectIds their hex, binary MongoDB extended JSON
/// (`{"$binary": {"base64", "subType"}}`); values JSON has no number for (NaN, ±Infinity)
/// become strings. A NUL character, which `jsonb` cannot hold, is written as the text
/// `\u0000` (only rejected documents can hold one).
package enum JSONText {
    /// The JSON text of one value.
    package static func encode(_ value: Value) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    /// The JSON text of one document, as an object.
    package static func encode(_ document: Document) -> String {
        encode(.document(document))
    }

    /// Appends the JSON text of `value` to `out`.
    package static func append(_ value: Value, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int32(let n): out += String(n)
        case .int64(let n): out += String(n)
        case .double(let d):
            if d.isFinite { out += NumberText.double(d) } else { appendString(NumberText.double(d), to: &out) }
        case .decimal(let text):
            if NumberText.isFiniteDecimal(text) { out += text } else { appendString(text, to: &out) }
        case .string(let text): appendString(text, to: &out)
        case .objectId(let hex): appendString(hex, to: &out)
        case .date(let ms): appendString(CivilTime(millisecondsSinceEpoch: ms).iso8601, to: &out)
        case .binary(let subtype, let bytes):
            out += "{\"$binary\":{\"base64\":"
            appendString(bytes.base64EncodedString(), to: &out)
            out += ",\"subType\":\"" + String(format: "%02x", subtype) + "\"}}"
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .document(let document):
            out += "{"
            for (index, field) in document.fields.enumerated() {
                if index > 0 { out += "," }
                appendString(field.name, to: &out)
                out += ":"
                append(field.value, to: &out)
            }
            out += "}"
        }
    }

    /// Appends `text` as a JSON string literal.
    package static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var pendingStart = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String? = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            // jsonb cannot hold U+0000: it is written as the six characters `\u0000`.
            case "\0": "\\\\u0000"
            case _ where scalar.value < 0x20: String(format: "\\u%04x", scalar.value)
            default: nil
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[pendingStart..<index])
                out += escape
                pendingStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[pendingStart..<scalars.endIndex])
        out += "\""
    }
}

/// Text forms of numbers shared by JSON and COPY encoders.
package enum NumberText {
    /// The shortest text that reads back as the same double; `NaN`, `Infinity`, `-Infinity`.
    package static func double(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return d.description
    }

    /// Whether a Decimal128's text is a finite number.
    package static func isFiniteDecimal(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "+") }) else { return false }
        return first != UInt8(ascii: "N") && first != UInt8(ascii: "I") && first != UInt8(ascii: "n") && first != UInt8(ascii: "i")
    }
}

/// The canonical text of a 16-byte UUID.
package enum UUIDText {
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
    package static func format(_ bytes: Data) -> String {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
