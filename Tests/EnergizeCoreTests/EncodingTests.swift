import EnergizeCore
import Foundation
import Testing

@Suite struct EncodingTests {
    @Test func jsonKeepsEveryValue() {
        let document: Document = [
            "d": .decimal("1234567890123456789012345678901234"), "big": .int64(9_007_199_254_740_993),
            "date": .date(1_709_251_200_123), "oid": .objectId("65e1f0000000000000000001"),
            "nan": .double(.nan), "inf": .decimal("-Infinity"), "s": .string("a\"b\\c\nd\te\u{1}"),
            "nested": .array([.null, .bool(true), .double(0.1)]),
        ]
        #expect(JSONText.encode(document) == #"{"d":1234567890123456789012345678901234,"big":9007199254740993,"date":"2024-03-01T00:00:00.123Z","oid":"65e1f0000000000000000001","nan":"NaN","inf":"-Infinity","s":"a\"b\\c\nd\te\u0001","nested":[null,true,0.1]}"#)
    }

    @Test func jsonForCopyIsTheJSONTextWithItsBackslashesDoubled() {
        let value: Value = .document(["s": .string("tab\tnl\ncr\rq\"bs\\nul\0ctl\u{1f}é✓"), "n": .array([.int64(-42), .date(-1)])])
        var copy: [UInt8] = []
        JSONText.append(value, to: &copy, backslash: .doubledForCopy)
        let json = JSONText.encode(value)
        #expect(json == #"{"s":"tab\tnl\ncr\rq\"bs\\nul\\u0000ctl\u001fé✓","n":[-42,"1969-12-31T23:59:59.999Z"]}"#)
        #expect(String(decoding: copy, as: UTF8.self) == json.replacingOccurrences(of: "\\", with: "\\\\"))
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z", "1970-01-01 00:00:00+00"),
        (Int64(-1), "1969-12-31T23:59:59.999Z", "1969-12-31 23:59:59.999+00"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z", "2000-02-29 00:00:00+00"),
        (Int64(253_402_300_800_000), "+10000-01-01T00:00:00.000Z", "10000-01-01 00:00:00+00"),
        (Int64(-62_167_219_200_000), "0000-01-01T00:00:00.000Z", "0001-01-01 00:00:00+00 BC"),
    ])
    func civilTimeFormatsBothWays(ms: Int64, iso: String, postgres: String) {
        let time = CivilTime(millisecondsSinceEpoch: ms)
        #expect(time.iso8601 == iso)
        #expect(time.postgresText == postgres)
        #expect(CivilTime.milliseconds(year: time.year, month: time.month, day: time.day, hour: time.hour,
                                       minute: time.minute, second: time.second, millisecond: time.millisecond) == ms)
    }

    @Test func columnTypesWidenWithoutLoss() {
        #expect(ColumnType.integer.widened(with: .bigint) == .bigint)
        #expect(ColumnType.integer.widened(with: .double) == .double)
        #expect(ColumnType.bigint.widened(with: .double) == .numeric)
        #expect(ColumnType.double.widened(with: .numeric) == .numeric)
        #expect(ColumnType.text.widened(with: .integer) == nil)
        #expect(ColumnType.jsonb.widened(with: .text) == nil)
        #expect(ColumnType.numeric.holds(.integer))
        #expect(!ColumnType.integer.holds(.bigint))
    }

    @Test func incrementalCutoffIsWatermarkMinusLookback() {
        let strategy = LoadStrategy.incremental(cursor: "u", key: "k", lookback: .days(7))
        #expect(strategy.cutoff(watermark: nil) == nil)
        #expect(strategy.cutoff(watermark: .date(10 * 86_400_000)) == .date(3 * 86_400_000))
        #expect(LoadStrategy.replace.cutoff(watermark: .date(1)) == nil)
        #expect(strategy.requiredFields == ["k", "u"])
    }
}

@Suite struct JSONSpecialValueTests {
    @Test func binaryKeepsItsSubtypeAndNulBecomesText() {
        #expect(JSONText.encode(.binary(subtype: 5, bytes: Data([1, 2]))) == #"{"$binary":{"base64":"AQI=","subType":"05"}}"#)
        #expect(JSONText.encode(.string("a\u{0}b")) == #""a\\u0000b""#)
        #expect(ColumnType.of(.binary(subtype: 0, bytes: Data())) == .bytea)
        #expect(ColumnType.of(.binary(subtype: 4, bytes: Data(count: 16))) == .uuid)
        #expect(ColumnType.of(.binary(subtype: 3, bytes: Data(count: 16))) == .jsonb)
    }
}
