import Foundation
import PGSink
import Testing

/// A secret in a connection string never reaches the output, the JSON logs, `status` or the
/// run history — here the TLS key's password of a MongoDB URI, and a PostgreSQL password.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SecretsTests {
    @Test func credentialOptionsAreMaskedEverywhere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try LiveServers.freshSchemas(["it_secret_raw", "it_secret_meta"]).close()
        try """
            pipeline: it_secret
            streams: [{name: things}]
            transform: {enabled: false}
            retries: {attempts: 0}
            """.write(to: folder.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        let uri = "mongodb://reader:s3cret-user@127.0.0.1:1/?serverSelectionTimeoutMS=300&tls=true&tlsCertificateKeyFilePassword=s3cret-key"
        var printed = ""
        for format in ["text", "json"] {
            let run = try EnergizeBinary.run(["run", "--mongo-uri", uri, "--log-format", format], in: folder)
            #expect(run.status != 0, "a run against no server succeeded: \(run.output)")
            printed += run.output
        }
        printed += try EnergizeBinary.run(["status"], in: folder).output
        printed += try EnergizeBinary.run(["status", "--json"], in: folder).output
        printed += try EnergizeBinary.run(["debug", "--mongo-uri", uri], in: folder).output
        #expect(printed.contains("it_secret") && printed.contains("***"), "\(printed)")
        #expect(!printed.contains("s3cret"), "a secret was printed: \(printed)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let history = try connection.execute("""
            SELECT coalesce(string_agg(to_jsonb(r)::text, ' '), '') FROM it_secret_meta.runs r
            UNION ALL SELECT coalesce(string_agg(to_jsonb(s)::text, ' '), '') FROM it_secret_meta.stream_runs s
            """).rows.compactMap { $0[0] }.joined(separator: " ")
        #expect(history.contains("things"), "\(history)")
        #expect(!history.contains("s3cret"), "a secret is in the run history: \(history)")
    }
}
