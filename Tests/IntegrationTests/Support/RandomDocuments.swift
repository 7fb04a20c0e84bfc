import EnergizeCore
import EnergizeTech
import Foundation

/// Random documents for property tests: field names from a hostile alphabet, random
/// nesting, and a random BSON kind per field and document (so some clash and are rejected).
struct RandomDocuments {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    static let names = ["a", "A", "with space", "quote\"d", "apos'", "dot.ted", "$dollar", "ünï", "😀", "select",
                        "_loaded_at", "", "tab\tname", String(repeating: "long_", count: 14) + "1",
                        String(repeating: "long_", count: 14) + "2", "n1", "n2", "n3", "d", "s"]
    static let texts = ["", "plain", "tab\there", "new\nline", "back\\slash", "\\.", "quote\"s'", "emoji 😀🚗", "中文",
                        "\u{10FFFF}", "cr\rlf", "nul\u{0}byte"]

    mutating func document(id: Int) -> Document {
        var document = Document([Field("_id", .objectId(String(format: "%024x", id)))])
        var used = Set<String>()
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            let name = random.pick(Self.names)
            guard used.insert(name).inserted else { continue }
            // Mostly the name's own kind, sometimes another: some documents clash and are rejected.
            let home = Int(name.unicodeScalars.reduce(0) { $0 &+ $1.value } % 12)
            document.fields.append(Field(name, value(depth: 0, kind: random.chance(0.9) ? home : nil)))
        }
        return document
    }

    mutating func value(depth: Int, kind: Int? = nil) -> Value {
        switch kind ?? Int.random(in: 0..<(depth < 2 ? 12 : 10), using: &random) {
        case 0: return .int32(Int32.random(in: .min ... .max, using: &random))
        case 1: return .int64(random.chance(0.5) ? Int64.random(in: .min ... .max, using: &random) : Int64(1) << 53 + 1)
        case 2: return .double(random.pick([0.1, -2.5, 1e300, .nan, .infinity, -0.0, 123456.789]))
        case 3: return .decimal(random.pick(["4599.90", "-0.001", "1234567890123456789012345678901234", "NaN", "1E+20"]))
        case 4, 5: return .string(random.pick(Self.texts))
        case 6: return .bool(random.chance(0.5))
        case 7: return .date(Int64.random(in: -5_000_000_000_000 ... 5_000_000_000_000, using: &random))
        case 8: return .null
        case 9: return .objectId(String(format: "%024x", Int.random(in: 0..<1_000_000, using: &random)))
        case 10:
            var child = Document()
            for index in 0..<Int.random(in: 0...3, using: &random) { child.fields.append(Field(random.pick(Self.names) + "\(index)", value(depth: depth + 1))) }
            return .document(child)
        default:
            return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) })
        }
    }
}
