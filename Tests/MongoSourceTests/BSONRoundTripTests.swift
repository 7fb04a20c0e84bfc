import EnergizeCore
import Foundation
@testable import MongoSource
import Testing

@Suite struct BSONRoundTripTests {
    @Test func decodesWhatItEncodesForEveryValueKind() {
        let document: Document = [
            "_id": .objectId("65e1f0000000000000000001"), "null": .null, "bool": .bool(true),
            "int32": .int32(-7), "int64": .int64(1 << 40), "double": .double(4599.9),
            "decimal": .decimal("4599.90"), "bigdecimal": .decimal("1234567890123456789012345678901234"),
            "nan": .decimal("NaN"), "string": .string("São Paulo ⚡ \"q\" \\ \t\n"),
            "date": .date(-86_400_000), "binary": .binary(subtype: 0, bytes: Data([1, 2, 3])),
            "uuid": .binary(subtype: 4, bytes: Data(repeating: 7, count: 16)),
            "nested": .document(["items": .array([.document(["sku": .string("BAT")]), .int32(2)])]),
            "empty": .string(""),
        ]
        let bson = BSONDocument(document)
        #expect(BSONDecoder().decode(bson.pointer) == document)
    }
}

import CMongoC

@Suite struct BSONInvalidTextTests {
    @Test func textThatIsNotUTF8MarksTheDocument() {
        let bson = bson_new()!
        defer { bson_destroy(bson) }
        let invalid: [CChar] = [0x61, CChar(bitPattern: 0xff), 0x62]
        bson_append_utf8(bson, "ok", -1, "fine", -1)
        bson_append_utf8(bson, "bad", -1, invalid, 3)
        let document = BSONDecoder().decode(bson)
        #expect(document.sourceIssue == "field `bad` holds text that is not valid UTF-8")
        #expect(document["ok"] == .string("fine"))
    }
}
