import CMongoC
import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// Every BSON type and edge value, end to end into PostgreSQL and read back exactly. Types
/// the local server cannot store travel in a mongodump `.bson` file written with libbson.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct BSONTypeTests {
    static let schema = "it_bson_types"

    /// One case: a field appended with libbson, the column type it must get, and a SQL
    /// condition on the column `@` that holds exactly when the value arrived unchanged.
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let type: String
        let check: String
        let append: @Sendable (OpaquePointer, String) -> Void
        var description: String { name }
    }

    static func decimal(_ text: String) -> bson_decimal128_t {
        var value = bson_decimal128_t()
        bson_decimal128_from_string(text, &value)
        return value
    }

    /// A Decimal128 case.
    static func decimalCase(_ name: String, _ text: String, check: String) -> Case {
        Case(name: name, type: "numeric", check: check) { bson, key in
            var value = decimal(text)
            bson_append_decimal128(bson, key, -1, &value)
        }
    }

    static let uuid: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]

    static let cases: [Case] = [
        Case(name: "double", type: "double precision", check: "@ = 1.5") { bson_append_double($0, $1, -1, 1.5) },
        Case(name: "double_nan", type: "double precision", check: "@ = 'NaN'::float8") { bson_append_double($0, $1, -1, .nan) },
        Case(name: "double_inf", type: "double precision", check: "@ = '-Infinity'::float8") { bson_append_double($0, $1, -1, -.infinity) },
        Case(name: "double_negative_zero", type: "double precision", check: "@::text = '-0'") { bson_append_double($0, $1, -1, -0.0) },
        Case(name: "double_max", type: "double precision", check: "@ = 1.7976931348623157e308") { bson_append_double($0, $1, -1, .greatestFiniteMagnitude) },
        Case(name: "string", type: "text", check: "@ = E'tab\\there\\nnew \\\\. \"q\" ''s'' é 中 😀 \\U0010FFFF'") {
            bson_append_utf8($0, $1, -1, "tab\there\nnew \\. \"q\" 's' é 中 😀 \u{10FFFF}", -1)
        },
        Case(name: "document", type: "jsonb", check: #"@ = '{"a": 1, "b": {"c": [1, "x", null]}}'::jsonb"#) { bson, key in
            let child = energize_bson_child_new()!
            defer { energize_bson_child_free(child) }
            bson_append_document_begin(bson, key, -1, child)
            bson_append_int32(child, "a", -1, 1)
            let grandchild = energize_bson_child_new()!
            defer { energize_bson_child_free(grandchild) }
            bson_append_document_begin(child, "b", -1, grandchild)
            let array = energize_bson_child_new()!
            defer { energize_bson_child_free(array) }
            bson_append_array_begin(grandchild, "c", -1, array)
            bson_append_int32(array, "0", -1, 1)
            bson_append_utf8(array, "1", -1, "x", -1)
            bson_append_null(array, "2", -1)
            bson_append_array_end(grandchild, array)
            bson_append_document_end(child, grandchild)
            bson_append_document_end(bson, child)
        },
        Case(name: "array_exact_numbers", type: "jsonb",
             check: "@->>0 = '9223372036854775807' AND @->>1 = '1234567890123456789012345678901234' AND @->>2 = '1900-01-01T00:00:00.000Z'") { bson, key in
            let array = energize_bson_child_new()!
            defer { energize_bson_child_free(array) }
            bson_append_array_begin(bson, key, -1, array)
            bson_append_int64(array, "0", -1, .max)
            var d = decimal("1234567890123456789012345678901234")
            bson_append_decimal128(array, "1", -1, &d)
            bson_append_date_time(array, "2", -1, -2_208_988_800_000)
            bson_append_array_end(bson, array)
        },
        Case(name: "binary", type: "bytea", check: #"@ = '\x0001ff'::bytea"#) { bson, key in
            let bytes: [UInt8] = [0, 1, 255]
            bson_append_binary(bson, key, -1, BSON_SUBTYPE_BINARY, bytes, 3)
        },
        Case(name: "uuid", type: "uuid", check: "@ = '12345678-9abc-def0-1234-56789abcdef0'") { bson, key in
            bson_append_binary(bson, key, -1, BSON_SUBTYPE_UUID, uuid, 16)
        },
        Case(name: "uuid_legacy", type: "jsonb", check: #"@ = '{"$binary": {"base64": "EjRWeJq83vASNFZ4mrze8A==", "subType": "03"}}'::jsonb"#) { bson, key in
            bson_append_binary(bson, key, -1, BSON_SUBTYPE_UUID_DEPRECATED, uuid, 16)
        },
        Case(name: "binary_md5", type: "jsonb", check: #"@ = '{"$binary": {"base64": "AQI=", "subType": "05"}}'::jsonb"#) { bson, key in
            let bytes: [UInt8] = [1, 2]
            bson_append_binary(bson, key, -1, BSON_SUBTYPE_MD5, bytes, 2)
        },
        Case(name: "objectid", type: "text", check: "@ = '65e1f0000000000000000abc'") { bson, key in
            var oid = bson_oid_t()
            bson_oid_init_from_string(&oid, "65e1f0000000000000000abc")
            bson_append_oid(bson, key, -1, &oid)
        },
        Case(name: "bool", type: "boolean", check: "@ IS FALSE") { bson_append_bool($0, $1, -1, false) },
        Case(name: "date", type: "timestamp with time zone", check: "@ = '2024-03-01 12:34:56.789+00'") {
            bson_append_date_time($0, $1, -1, 1_709_296_496_789)
        },
        Case(name: "date_1900", type: "timestamp with time zone", check: "@ = '1900-01-01 00:00:00+00'") {
            bson_append_date_time($0, $1, -1, -2_208_988_800_000)
        },
        Case(name: "date_year_10000", type: "timestamp with time zone", check: "@ = '10000-01-01 00:00:00+00'") {
            bson_append_date_time($0, $1, -1, 253_402_300_800_000)
        },
        Case(name: "date_bc", type: "timestamp with time zone", check: "@ = '0044-03-15 00:00:00+00 BC'") {
            bson_append_date_time($0, $1, -1, CivilTime.milliseconds(year: -43, month: 3, day: 15))
        },
        Case(name: "null", type: "", check: "TRUE") { bson_append_null($0, $1, -1) },
        Case(name: "undefined", type: "", check: "TRUE") { bson_append_undefined($0, $1, -1) },
        Case(name: "regex", type: "jsonb", check: #"@ = '{"$regularExpression": {"pattern": "ab+c", "options": "i"}}'::jsonb"#) {
            bson_append_regex($0, $1, -1, "ab+c", "i")
        },
        Case(name: "javascript", type: "jsonb", check: #"@ = '{"$code": "function () { return 1 }"}'::jsonb"#) {
            bson_append_code($0, $1, -1, "function () { return 1 }")
        },
        Case(name: "javascript_scope", type: "jsonb", check: #"@ = '{"$code": "x", "$scope": {"x": 1}}'::jsonb"#) { bson, key in
            let scope = bson_new()!
            defer { bson_destroy(scope) }
            bson_append_int32(scope, "x", -1, 1)
            bson_append_code_with_scope(bson, key, -1, "x", scope)
        },
        Case(name: "symbol", type: "text", check: "@ = 'sym'") { bson_append_symbol($0, $1, -1, "sym", -1) },
        Case(name: "int32", type: "integer", check: "@ = -2147483648") { bson_append_int32($0, $1, -1, .min) },
        Case(name: "int64", type: "bigint", check: "@ = 9007199254740993") { bson_append_int64($0, $1, -1, 9_007_199_254_740_993) },
        Case(name: "timestamp", type: "jsonb", check: #"@ = '{"$timestamp": {"t": 1700000000, "i": 7}}'::jsonb"#) {
            bson_append_timestamp($0, $1, -1, 1_700_000_000, 7)
        },
        decimalCase("decimal_34", "1234567890123456789012345678901234", check: "@::text = '1234567890123456789012345678901234'"),
        decimalCase("decimal_scale", "-1E-33", check: "@::text = '-0.000000000000000000000000000000001'"),
        decimalCase("decimal_cents", "4599.90", check: "@::text = '4599.90'"),
        decimalCase("decimal_nan", "NaN", check: "@ = 'NaN'::numeric"),
        decimalCase("decimal_inf", "-Infinity", check: "@ = '-Infinity'::numeric"),
        decimalCase("decimal_huge", "1E+6144", check: "@ = '1E+6144'::numeric"),
        Case(name: "minkey", type: "jsonb", check: #"@ = '{"$minKey": 1}'::jsonb"#) { bson_append_minkey($0, $1, -1) },
        Case(name: "maxkey", type: "jsonb", check: #"@ = '{"$maxKey": 1}'::jsonb"#) { bson_append_maxkey($0, $1, -1) },
        Case(name: "dbpointer", type: "jsonb", check: #"@ = '{"$dbPointer": {"$ref": "things", "$id": "65e1f0000000000000000abc"}}'::jsonb"#) { bson, key in
            var oid = bson_oid_t()
            bson_oid_init_from_string(&oid, "65e1f0000000000000000abc")
            bson_append_dbpointer(bson, key, -1, "things", &oid)
        },
    ]

    /// Writes one document per case (`_id`, `case`, and the value in field `v_<case>`),
    /// plus one whose date PostgreSQL cannot hold.
    static func writeDump(to folder: URL, gzip: Bool) throws {
        let writer = DumpWriter()
        for (index, testCase) in cases.enumerated() {
            writer.add { bson in
                var oid = bson_oid_t()
                bson_oid_init_from_string(&oid, String(format: "%024x", index + 1))
                bson_append_oid(bson, "_id", -1, &oid)
                bson_append_utf8(bson, "case", -1, testCase.name, -1)
                testCase.append(bson, "v_" + testCase.name)
            }
        }
        writer.add { bson in
            var oid = bson_oid_t()
            bson_oid_init_from_string(&oid, String(format: "%024x", 999))
            bson_append_oid(bson, "_id", -1, &oid)
            bson_append_date_time(bson, "v_far_future", -1, Int64.max)
        }
        try writer.write(to: folder, collection: "types", gzip: gzip)
    }

    @Test(arguments: [false, true])
    func everyTypeArrivesExactlyFromADumpFile(gzip: Bool) async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeDump(to: folder, gzip: gzip)
        let pipeline = Pipeline(name: "it-types", source: MongoDumpSource(folder: folder.path),
                                sink: PGSink(connectionString: try LiveServers.pgURI(),
                                             settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta")),
                                streams: [StreamConfig("types")])
        let report = try await pipeline.run()
        let stream = try #require(report.streams.first)
        #expect(stream.status == .succeeded, "\(stream.error ?? "")")
        #expect(stream.rowsRead == Self.cases.count + 1)
        #expect(stream.rowsRejected == 1)
        let reason = try connection.execute("SELECT reason FROM \(Self.schema)._rejects").scalar
        #expect(reason?.hasPrefix("field `v_far_future`: date +292278994-08-17T07:12:55.807Z is outside PostgreSQL's timestamptz range") == true, "\(reason ?? "")")

        let types = Dictionary(uniqueKeysWithValues: try connection.execute("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'types'
            """, [Self.schema]).rows.map { ($0[0]!, $0[1]!) })
        for testCase in Self.cases {
            let column = "v_" + testCase.name
            if testCase.type.isEmpty {
                #expect(types[column] == nil, "\(testCase.name) made a column although it is always null")
                continue
            }
            #expect(types[column] == testCase.type, "\(testCase.name)")
            let result = try connection.execute("""
                SELECT count(*) FILTER (WHERE ok) FROM (SELECT (\(Self.check(testCase.check, column: column))) AS ok
                FROM \(Self.schema).types WHERE "case" = $1) x
                """, [testCase.name]).scalar
            #expect(result == "1", "\(testCase.name): \(testCase.check)")
        }
    }

    /// The check with its placeholder `@` replaced by the quoted column.
    static func check(_ check: String, column: String) -> String {
        check.replacingOccurrences(of: "@", with: SQLIdentifier.quote(column))
    }
}
