import CMongoC
import Foundation
import Testing

/// `--log-format json` writes one JSON object per line, with the stream and counts as fields.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct StructuredLogTests {
    @Test func jsonLogLinesAreObjectsWithTheStreamsCounts() throws {
        let connection = try LiveServers.freshSchemas(["it_jsonlog", "it_jsonlog_meta"])
        defer { connection.close() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-jsonlog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = DumpWriter()
        for n in 1...3 { writer.add { bson_append_int32($0, "n", -1, Int32(n)) } }
        try writer.write(to: folder, collection: "things")
        let config = folder.appendingPathComponent("energize.yml")
        try """
            pipeline: it-jsonlog
            source: {dump_folder: \(folder.path)}
            schemas: {raw: it_jsonlog, meta: it_jsonlog_meta}
            streams: [{name: things}]
            transform: {enabled: false}
            """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = InterruptionTests.repository.appendingPathComponent(".build/debug/energize")
        process.arguments = ["run", "--config", config.path, "--log-format", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["ENERGIZE_PG_URI"] = try LiveServers.pgURI()
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(records.count == lines.count, "not JSON: \(lines)")
        let finished = try #require(records.first { $0["msg"] == "stream finished" })
        #expect(finished["stream"] == "things" && finished["rows.loaded"] == "3" && finished["status"] == "succeeded")
        #expect(records.contains { $0["msg"]?.hasPrefix("run ") == true && $0["pipeline"] == "it-jsonlog" })
    }
}
