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
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == lines.count, "not JSON: \(lines)")
        let finished = try #require(records.first { $0["msg"] as? String == "stream finished" })
        #expect(finished["stream"] as? String == "things" && finished["status"] as? String == "succeeded")
        // Numbers are JSON numbers, not text.
        #expect((finished["rows.loaded"] as? NSNumber)?.intValue == 3, "\(finished)")
        #expect(finished["duration_seconds"] is NSNumber, "\(finished)")
        #expect(records.contains { ($0["msg"] as? String)?.hasPrefix("run ") == true && $0["pipeline"] as? String == "it-jsonlog" })
    }
}

/// `--quiet` prints little, but always why the exit status is not 0.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct QuietTests {
    @Test func quietStillSaysWhyTheRunDidNotSucceed() throws {
        _ = try LiveServers.freshSchemas(["it_quiet_raw", "it_quiet_meta"]).close()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-quiet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = DumpWriter()
        for n in 1...4 { writer.add { bson_append_int32($0, "n", -1, Int32(n)) } }
        writer.add { bson_append_utf8($0, "n", -1, "five", -1) }
        try writer.write(to: folder.appendingPathComponent("dump"), collection: "things")
        try """
            pipeline: it_quiet
            source: {dump_folder: dump}
            streams: [{name: things, contract: {fields: {n: whole_number}}}]
            transform: {enabled: false}
            max_reject_ratio: 0.1
            """.write(to: folder.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        let run = try EnergizeBinary.run(["run", "--quiet"], in: folder)
        #expect(run.status == 3, "\(run.output)")
        #expect(run.output.contains("REJECTS things: 20.0% of 5 documents rejected, over the limit of 10.0%"), "\(run.output)")
        #expect(run.output.split(separator: "\n").count <= 3, "quiet: \(run.output)")
    }
}
