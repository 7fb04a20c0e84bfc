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
        var out: [UInt8] = []
        append(value, to: &out, backslash: .single)
        return String(decoding: out, as: UTF8.self)
    }

    /// The JSON text of one document, as an object.
    package static func encode(_ document: Document) -> String {
        encode(.document(document))
    }

    /// Appends the JSON text of `value` to `out`.
    package static func append(_ value: Value, to out: inout String) {
        out += encode(value)
    }

    /// How a backslash of the JSON text is written: as itself, or doubled for COPY's text format
    /// (JSON escapes every tab, newline and carriage return, so a backslash is the only byte of
    /// JSON text that COPY needs escaped).
    package enum Backslash: Sendable {
        /// The JSON text as it is.
        case single
        /// The JSON text escaped for a COPY text field.
        case doubledForCopy
    }

    /// Appends the JSON text of `value` to `out` as UTF-8 bytes.
    /// - Parameters:
    ///   - value: the value.
    ///   - out: the bytes to append to.
    ///   - backslash: `.doubledForCopy` to write the text as a COPY text field holds it.
    package static func append(_ value: Value, to out: inout [UInt8], backslash: Backslash) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int32(let n): NumberText.appendDecimal(Int64(n), to: &out)
        case .int64(let n): NumberText.appendDecimal(n, to: &out)
        case .double(let d):
            if d.isFinite { out.append(contentsOf: NumberText.double(d).utf8) } else { appendString(NumberText.double(d), to: &out, backslash: backslash) }
        case .decimal(let text):
            if NumberText.isFiniteDecimal(text) { out.append(contentsOf: text.utf8) } else { appendString(text, to: &out, backslash: backslash) }
        case .string(let text): appendString(text, to: &out, backslash: backslash)
        case .objectId(let hex): appendString(hex, to: &out, backslash: backslash)
        case .date(let ms):
            out.append(UInt8(ascii: "\""))
            CivilTime(millisecondsSinceEpoch: ms).appendISO8601(to: &out)
            out.append(UInt8(ascii: "\""))
        case .binary(let subtype, let bytes):
            out.append(contentsOf: "{\"$binary\":{\"base64\":".utf8)
            appendString(bytes.base64EncodedString(), to: &out, backslash: backslash)
            out.append(contentsOf: ",\"subType\":\"".utf8)
            out.append(hexDigits[Int(subtype >> 4)])
            out.append(hexDigits[Int(subtype & 0x0f)])
            out.append(contentsOf: "\"}}".utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out, backslash: backslash)
            }
            out.append(UInt8(ascii: "]"))
        case .document(let document):
            out.append(UInt8(ascii: "{"))
            for (index, field) in document.fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(field.name, to: &out, backslash: backslash)
                out.append(UInt8(ascii: ":"))
                append(field.value, to: &out, backslash: backslash)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a JSON string literal.
    package static func appendString(_ text: String, to out: inout String) {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes, backslash: .single)
        out += String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal, in UTF-8 bytes.
    package static func appendString(_ text: String, to out: inout [UInt8], backslash: Backslash) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &out, backslash: backslash) }
    }

    /// Appends the UTF-8 text `utf8` as a JSON string literal (the bytes are valid UTF-8: only
    /// `"`, `\` and control characters need escapes, every other byte is copied).
    package static func appendString(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], backslash: Backslash) {
        let doubled = backslash == .doubledForCopy
        func slash() {
            out.append(UInt8(ascii: "\\"))
            if doubled { out.append(UInt8(ascii: "\\")) }
        }
        out.append(UInt8(ascii: "\""))
        var pending = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending..<index]))
            pending = index + 1
            slash()
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): slash()
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
            case 0:
                // jsonb cannot hold U+0000: it is written as the six characters `\u0000`.
                slash()
                out.append(contentsOf: "u0000".utf8)
            default:
                out.append(contentsOf: "u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending..<utf8.count]))
        out.append(UInt8(ascii: "\""))
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

    /// Appends the decimal digits of `n` (with `-` when negative), without making a `String`.
    package static func appendDecimal(_ n: Int64, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        guard magnitude >= 10 else { out.append(UInt8(ascii: "0") + UInt8(magnitude)); return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
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
