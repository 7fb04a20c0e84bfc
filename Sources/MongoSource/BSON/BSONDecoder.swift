internal import CMongoC
import EnergizeCore
import Foundation

/// Decodes BSON documents into `Document`s with `bson_iter`, one iterator per nesting level.
///
/// Reuses its iterators across documents; not thread-safe (one decoder per reader thread).
final class BSONDecoder {
    private var iterators: [OpaquePointer] = []
    /// The first problem met in the document being decoded.
    private var issue: String?

    deinit {
        for iterator in iterators { energize_iter_free(iterator) }
    }

    /// Decodes the document `bson` points to; the pointer is only borrowed for the call.
    func decode(_ bson: OpaquePointer) -> Document {
        let iterator = iterator(at: 0)
        guard bson_iter_init(iterator, bson) else { return Document([], sourceIssue: "the BSON document is corrupt") }
        return topLevel(from: iterator)
    }

    /// Decodes the document in `count` bytes at `bytes` (borrowed for the call).
    func decode(bytes: UnsafePointer<UInt8>, count: Int) -> Document {
        let iterator = iterator(at: 0)
        guard bson_iter_init_from_data(iterator, bytes, count) else { return Document([], sourceIssue: "the BSON document is corrupt") }
        return topLevel(from: iterator)
    }

    private func topLevel(from iterator: OpaquePointer) -> Document {
        issue = nil
        var document = document(from: iterator, depth: 0)
        document.sourceIssue = issue
        return document
    }

    private func iterator(at depth: Int) -> OpaquePointer {
        while iterators.count <= depth { iterators.append(energize_iter_new()) }
        return iterators[depth]
    }

    private func document(from iterator: OpaquePointer, depth: Int) -> Document {
        var fields: [Field] = []
        while bson_iter_next(iterator) {
            fields.append(Field(cString(bson_iter_key(iterator)), value(at: iterator, depth: depth)))
        }
        return Document(fields)
    }

    private func value(at iterator: OpaquePointer, depth: Int) -> Value {
        switch bson_iter_type(iterator) {
        case BSON_TYPE_DOUBLE: return .double(bson_iter_double(iterator))
        case BSON_TYPE_UTF8: return .string(utf8(iterator, depth: depth))
        case BSON_TYPE_DOCUMENT, BSON_TYPE_ARRAY:
            let child = self.iterator(at: depth + 1)
            guard bson_iter_recurse(iterator, child) else { return .null }
            let nested = document(from: child, depth: depth + 1)
            if bson_iter_type(iterator) == BSON_TYPE_ARRAY { return .array(nested.fields.map(\.value)) }
            return .document(nested)
        case BSON_TYPE_BINARY:
            var subtype = bson_subtype_t(0)
            var length: UInt32 = 0
            var bytes: UnsafePointer<UInt8>?
            bson_iter_binary(iterator, &subtype, &length, &bytes)
            return .binary(subtype: UInt8(truncatingIfNeeded: subtype.rawValue), bytes: bytes.map { Data(bytes: $0, count: Int(length)) } ?? Data())
        case BSON_TYPE_OID:
            return .objectId(Self.hex(of: bson_iter_oid(iterator)))
        case BSON_TYPE_BOOL: return .bool(bson_iter_bool(iterator))
        case BSON_TYPE_DATE_TIME: return .date(bson_iter_date_time(iterator))
        case BSON_TYPE_NULL, BSON_TYPE_UNDEFINED: return .null
        case BSON_TYPE_INT32: return .int32(bson_iter_int32(iterator))
        case BSON_TYPE_INT64: return .int64(bson_iter_int64(iterator))
        case BSON_TYPE_DECIMAL128:
            var decimal = bson_decimal128_t()
            bson_iter_decimal128(iterator, &decimal)
            var text = [CChar](repeating: 0, count: 43)
            bson_decimal128_to_string(&decimal, &text)
            return .decimal(cText(text))
        case BSON_TYPE_SYMBOL:
            var length: UInt32 = 0
            let pointer = bson_iter_symbol(iterator, &length)
            return .string(text(pointer, length, depth: depth))
        case BSON_TYPE_CODE:
            var length: UInt32 = 0
            let pointer = bson_iter_code(iterator, &length)
            return .document(["$code": .string(text(pointer, length, depth: depth))])
        case BSON_TYPE_CODEWSCOPE:
            var length: UInt32 = 0
            var scopeLength: UInt32 = 0
            var scope: UnsafePointer<UInt8>?
            let code = bson_iter_codewscope(iterator, &length, &scopeLength, &scope)
            let scopeDocument = scope.map { decodeNested(bytes: $0, count: Int(scopeLength), depth: depth + 1) } ?? Document()
            return .document(["$code": .string(text(code, length, depth: depth)), "$scope": .document(scopeDocument)])
        case BSON_TYPE_REGEX:
            var options: UnsafePointer<CChar>?
            let pattern = bson_iter_regex(iterator, &options)
            return .document(["$regularExpression": .document([
                "pattern": .string(pattern.map(cString) ?? ""), "options": .string(options.map(cString) ?? "")])])
        case BSON_TYPE_TIMESTAMP:
            var seconds: UInt32 = 0
            var increment: UInt32 = 0
            bson_iter_timestamp(iterator, &seconds, &increment)
            return .document(["$timestamp": .document(["t": .int64(Int64(seconds)), "i": .int64(Int64(increment))])])
        case BSON_TYPE_DBPOINTER:
            var length: UInt32 = 0
            var collection: UnsafePointer<CChar>?
            var oid: UnsafePointer<bson_oid_t>?
            bson_iter_dbpointer(iterator, &length, &collection, &oid)
            return .document(["$dbPointer": .document(["$ref": .string(text(collection, length, depth: depth)), "$id": .objectId(Self.hex(of: oid))])])
        case BSON_TYPE_MINKEY: return .document(["$minKey": .int32(1)])
        case BSON_TYPE_MAXKEY: return .document(["$maxKey": .int32(1)])
        default:
            return .document(["$unsupportedBSONType": .int32(Int32(bson_iter_type(iterator).rawValue))])
        }
    }

    /// The text of a NUL-terminated C buffer.
    private func cText(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func cString(_ pointer: UnsafePointer<CChar>) -> String {
        pointer.withMemoryRebound(to: UInt8.self, capacity: 1) {
            String(decoding: UnsafeBufferPointer(start: $0, count: strlen(pointer)), as: UTF8.self)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// An ObjectId's 24 lower-case hexadecimal digits.
    private static func hex(of oid: UnsafePointer<bson_oid_t>?) -> String {
        guard let oid else { return "" }
        return String(unsafeUninitializedCapacity: 24) { text in
            withUnsafeBytes(of: oid.pointee.bytes) { bytes in
                for (index, byte) in bytes.enumerated() {
                    text[2 * index] = hexDigits[Int(byte >> 4)]
                    text[2 * index + 1] = hexDigits[Int(byte & 0x0f)]
                }
            }
            return 24
        }
    }

    /// Decodes an embedded document given as raw bytes (a code-with-scope's scope).
    private func decodeNested(bytes: UnsafePointer<UInt8>, count: Int, depth: Int) -> Document {
        let child = iterator(at: depth)
        guard bson_iter_init_from_data(child, bytes, count) else { return Document() }
        return document(from: child, depth: depth)
    }

    private func utf8(_ iterator: OpaquePointer, depth: Int) -> String {
        var length: UInt32 = 0
        let pointer = bson_iter_utf8(iterator, &length)
        return text(pointer, length, depth: depth)
    }

    /// The text at `pointer`, the value of the field the iterator at `depth` is on; text that is
    /// not valid UTF-8 is repaired with U+FFFD and recorded as the document's issue, so the
    /// document is rejected, not changed.
    private func text(_ pointer: UnsafePointer<CChar>?, _ length: UInt32, depth: Int) -> String {
        guard let pointer else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            let bytes = UnsafeBufferPointer(start: $0, count: Int(length))
            // ASCII (most text) is valid UTF-8 as it is; only other text needs the validating initializer.
            if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            if let valid = String(validating: bytes, as: UTF8.self) { return valid }
            if issue == nil {
                // The iterators of the enclosing levels stand on the fields that lead here.
                let path = (0...depth).map { cString(bson_iter_key(iterators[$0])) }
                issue = "field `\(path.joined(separator: "."))` holds text that is not valid UTF-8"
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
