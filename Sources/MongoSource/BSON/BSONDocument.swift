internal import CMongoC
import EnergizeCore
import Foundation

/// An owned `bson_t`, built from a `Document`; freed when the value is released.
final class BSONDocument {
    let pointer: OpaquePointer

    /// Encodes `document` as BSON.
    init(_ document: Document) {
        pointer = bson_new()
        BSONEncoder.append(document, to: pointer)
    }

    /// Takes ownership of a `bson_t` made by `bson_new` or a libbson reader copy.
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        bson_destroy(pointer)
    }

    /// The encoded bytes.
    var bytes: Data {
        Data(bytes: bson_get_data(pointer), count: Int(energize_bson_len(pointer)))
    }
}

/// Writes `Value`s into a `bson_t` with libbson's append calls.
enum BSONEncoder {
    static func append(_ document: Document, to bson: OpaquePointer) {
        for field in document.fields {
            append(field.value, key: field.name, to: bson)
        }
    }

    static func append(_ value: Value, key: String, to bson: OpaquePointer) {
        let keyLength = Int32(key.utf8.count)
        switch value {
        case .null: bson_append_null(bson, key, keyLength)
        case .bool(let b): bson_append_bool(bson, key, keyLength, b)
        case .int32(let n): bson_append_int32(bson, key, keyLength, n)
        case .int64(let n): bson_append_int64(bson, key, keyLength, n)
        case .double(let d): bson_append_double(bson, key, keyLength, d)
        case .decimal(let text):
            var decimal = bson_decimal128_t()
            if !bson_decimal128_from_string(text, &decimal) { bson_decimal128_from_string("NaN", &decimal) }
            bson_append_decimal128(bson, key, keyLength, &decimal)
        case .string(let text):
            var text = text
            text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress {
                        _ = energize_append_utf8(bson, key, keyLength, base, Int32(chars.count))
                    } else {
                        _ = energize_append_utf8(bson, key, keyLength, "", 0)
                    }
                }
            }
        case .objectId(let hex):
            var oid = bson_oid_t()
            bson_oid_init_from_string(&oid, hex)
            bson_append_oid(bson, key, keyLength, &oid)
        case .date(let ms): bson_append_date_time(bson, key, keyLength, ms)
        case .binary(let subtype, let bytes):
            bytes.withUnsafeBytes { raw in
                _ = bson_append_binary(bson, key, keyLength, bson_subtype_t(UInt32(subtype)),
                                       raw.bindMemory(to: UInt8.self).baseAddress, UInt32(raw.count))
            }
        case .document(let child):
            let childBSON = energize_bson_child_new()!
            defer { energize_bson_child_free(childBSON) }
            energize_append_begin_document(bson, key, keyLength, childBSON)
            append(child, to: childBSON)
            bson_append_document_end(bson, childBSON)
        case .array(let elements):
            let childBSON = energize_bson_child_new()!
            defer { energize_bson_child_free(childBSON) }
            energize_append_begin_array(bson, key, keyLength, childBSON)
            for (index, element) in elements.enumerated() {
                append(element, key: String(index), to: childBSON)
            }
            bson_append_array_end(bson, childBSON)
        }
    }
}
