import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// Hand-made corrupt mongodump files: a corrupt document becomes a reject saying where it is
/// (offset, length, its raw bytes), never a row of NULLs or a partial document, and the
/// documents after it still load; a file whose boundaries break (a length that cannot be, a
/// truncated end) fails the stream, and the table stays as it was.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct DumpCorruptionTests {
    static let schema = "it_dump_corrupt"

    /// A BSON document of `elements` (each: type byte, name, value bytes).
    static func document(_ elements: [UInt8]) -> [UInt8] {
        let length = UInt32(4 + elements.count + 1)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + elements + [0]
    }

    static func int32(_ name: String, _ value: Int32) -> [UInt8] {
        [0x10] + Array(name.utf8) + [0] + withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    static func string(_ name: String, _ bytes: [UInt8], declaredLength: Int32? = nil) -> [UInt8] {
        let length = declaredLength ?? Int32(bytes.count + 1)
        return [0x02] + Array(name.utf8) + [0] + withUnsafeBytes(of: length.littleEndian, Array.init) + bytes + [0]
    }

    static func binary(_ name: String, _ bytes: [UInt8], declaredLength: Int32) -> [UInt8] {
        [0x05] + Array(name.utf8) + [0] + withUnsafeBytes(of: declaredLength.littleEndian, Array.init) + [0x00] + bytes
    }

    static func codeWithScope(_ name: String, declaredTotal: Int32) -> [UInt8] {
        let code = Array("f()".utf8) + [0], scope = document([])
        return [0x0F] + Array(name.utf8) + [0] + withUnsafeBytes(of: declaredTotal.littleEndian, Array.init)
            + withUnsafeBytes(of: Int32(code.count).littleEndian, Array.init) + code + scope
    }

    static func valid(_ n: Int32) -> [UInt8] { document(int32("_id", n) + int32("n", n)) }

    func load(_ bytes: [UInt8]) async throws -> StreamReport {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(bytes).write(to: folder.appendingPathComponent("things.bson"))
        let sink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta"))
        let report = try await Pipeline(name: "it-corrupt", source: MongoDumpSource(folder: folder.path), sink: sink,
                                        streams: [StreamConfig("things")]).run()
        return try #require(report.streams.first)
    }

    func rows(_ connection: PGConnection) throws -> [String] {
        try connection.execute("SELECT n::text FROM \(Self.schema).things ORDER BY n").rows.compactMap { $0[0] }
    }

    /// Corruptions inside a document whose length is sound: rejected with where it is; the rest loads.
    @Test(arguments: [
        ("a bad type byte", document([0x20] + Array("x".utf8) + [0, 1, 2, 3, 4])),
        ("a missing terminator", { var bytes = valid(7); bytes[bytes.count - 1] = 1; return bytes }()),
        ("a string length past its document", document(int32("_id", 7) + string("s", Array("ab".utf8), declaredLength: 100))),
        ("a binary length past its document", document(int32("_id", 7) + binary("b", [1, 2], declaredLength: 50))),
        ("broken code-with-scope", document(int32("_id", 7) + codeWithScope("c", declaredTotal: 99))),
        ("a nested document whose length is wrong", document(int32("_id", 7) + [0x03] + Array("d".utf8) + [0, 40, 0, 0, 0, 0])),
    ])
    func aCorruptDocumentIsARejectThatSaysWhereItIs(kind: String, corrupt: [UInt8]) async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let first = Self.valid(1)
        let stream = try await load(first + corrupt + Self.valid(3))
        #expect(stream.status == .succeeded, "\(kind): \(stream.error ?? "")")
        #expect(stream.rowsRead == 3 && stream.rowsRejected == 1, "\(kind): read \(stream.rowsRead), rejected \(stream.rowsRejected)")
        #expect(try rows(connection) == ["1", "3"], "\(kind): the document after the corrupt one must load, nothing invented")
        let reject = try connection.execute("""
            SELECT reason, document->>'offset', document->>'length', document->>'bytes' FROM \(Self.schema)._rejects
            """).rows
        #expect(reject.count == 1, "\(kind)")
        #expect(reject.first?[0]?.hasPrefix("corrupt BSON document at offset \(first.count) (\(corrupt.count) bytes): ") == true,
                "\(kind): \(String(describing: reject.first?[0]))")
        #expect(reject.first?[1] == String(first.count) && reject.first?[2] == String(corrupt.count), "\(kind)")
        #expect(reject.first?[3].flatMap { Data(base64Encoded: $0) } == Data(corrupt), "\(kind): the raw bytes are kept")
    }

    @Test func textThatIsNotUTF8IsRejectedNamingTheField() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let stream = try await load(Self.valid(1) + Self.document(Self.int32("_id", 2) + Self.string("s", [0x61, 0xFF])) + Self.valid(3))
        #expect(stream.status == .succeeded && stream.rowsRejected == 1)
        #expect(try rows(connection) == ["1", "3"])
        #expect(try connection.execute("SELECT reason FROM \(Self.schema)._rejects").scalar == "field `s` holds text that is not valid UTF-8")
    }

    /// Broken boundaries: no next document can be found, so the stream fails and nothing of
    /// the file loads; the table keeps the last good load.
    @Test(arguments: [
        ("a length under five bytes", valid(2) + [3, 0, 0, 0, 0]),
        ("a length past the end of the file", valid(2) + Array(valid(3).prefix(9))),
        ("a file ending inside a length", valid(2) + [12, 0]),
        ("a negative length", valid(2) + [0xFF, 0xFF, 0xFF, 0xFF, 0]),
    ])
    func aBrokenFileFailsTheStreamAndRollsBack(kind: String, bytes: [UInt8]) async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        #expect(try await load(Self.valid(1)).status == .succeeded)
        let stream = try await load(bytes)
        #expect(stream.status == .failed, "\(kind)")
        #expect(stream.error?.contains("things.bson") == true && stream.error?.contains("offset") == true, "\(kind): \(stream.error ?? "")")
        #expect(try rows(connection) == ["1"], "\(kind): the table must stay as the last good load left it")
    }

    @Test func emptyDocumentsAreDocuments() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let stream = try await load(Self.document([]) + Self.document([]))
        #expect(stream.status == .succeeded && stream.rowsRead == 2, "read \(stream.rowsRead): \(stream.error ?? "")")
        #expect(try connection.execute("SELECT count(*) FROM \(Self.schema).things").scalar == "2")
    }
}
