import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing

/// Seed → run → compare every row with its document; touch → run → check the strategies;
/// re-run → nothing changes. Against the real servers `make test` starts.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ExtractLoadTests {
    static let database = "it_extract_load"
    static let schema = "it_extract_load"
    static let metaSchema = "it_extract_load_meta"

    func pipeline(pageSize: Int = 150) throws -> Pipeline {
        Pipeline(name: "it-extract-load",
                 source: MongoSource(uri: try LiveServers.mongoURI(), database: Self.database,
                                     options: MongoReadOptions(pageSize: pageSize, batchSize: 100)),
                 sink: PGSink(connectionString: try LiveServers.pgURI(),
                              settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.metaSchema)),
                 streams: try EnergizeTechProject.streams(), settings: PipelineSettings(batchSize: 64, concurrency: 2))
    }

    @Test func loadsEveryDocumentExactlyThenFollowsTheStrategiesAcrossRuns() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.metaSchema])
        defer { connection.close() }
        let client = try LiveServers.freshCollections(Self.database, try EnergizeTechProject.streams().map(\.collection))
        let seeder = SourceSeeder(uri: try LiveServers.mongoURI(), database: Self.database)
        try seeder.seed(SyntheticData(size: .init(customers: 60, sales: 600), seed: 11))
        let compare = TableComparison(connection: connection, client: client, database: Self.database, schema: Self.schema)

        // 1. First run: every valid document is a row equal to it, every other one a reject.
        let first = try await pipeline().run()
        #expect(first.succeeded, "\(first.streams.compactMap(\.error))")
        for stream in try EnergizeTechProject.streams() {
            let documents = try compare.documents(stream.collection)
            let valid = documents.filter { stream.rules.violation(in: $0) == nil }
            #expect(try compare.mismatches(table: stream.table, documents: valid) == [], "\(stream.name)")
            #expect(try compare.count(stream.table) == valid.count, "\(stream.name)")
            let rejectedIds = try connection.execute("""
                SELECT document_id FROM \(SQLIdentifier.qualified(Self.schema, "_rejects")) WHERE collection = $1 AND run_id = $2
                """, [stream.collection, String(first.run.runId)]).rows.map { $0[0] ?? "" }
            let invalidIds = documents.filter { stream.rules.violation(in: $0) != nil }.map { DocumentRules.idText($0["_id"]!) }
            #expect(rejectedIds.sorted() == invalidIds.sorted(), "\(stream.name) rejects")
            let report = try #require(first.streams.first { $0.stream == stream.name })
            #expect(report.rowsRead == documents.count)
            #expect(report.rowsRejected == invalidIds.count)
        }
        #expect(try compare.columnTypes("sales")["items"] == .jsonb)
        #expect(try compare.columnTypes("sales")["total_amount"] == .numeric)
        #expect(try compare.columnTypes("customers")["email"] == .text)

        // 2. A day of changes, then an incremental run.
        try seeder.touch(DayOfChanges(percent: 15, seed: 5))
        let second = try await pipeline(pageSize: 0).run()
        #expect(second.succeeded, "\(second.streams.compactMap(\.error))")
        for stream in try EnergizeTechProject.streams() {
            let documents = try compare.documents(stream.collection)
            let valid = documents.filter { stream.rules.violation(in: $0) == nil }
            let report = try #require(second.streams.first { $0.stream == stream.name })
            if case .incremental(let cursor, let key, _) = stream.strategy {
                // Every source document is in the table as it is now; a row whose document is
                // gone was deleted outside the look-back window.
                #expect(try compare.mismatches(table: stream.table, documents: valid) == [], "\(stream.name)")
                let duplicates = try connection.execute("""
                    SELECT count(*) FROM (SELECT \(SQLIdentifier.quote(key)) FROM \(SQLIdentifier.qualified(Self.schema, stream.table))
                    GROUP BY 1 HAVING count(*) > 1) d
                    """).scalar
                #expect(duplicates == "0", "\(stream.name) has duplicated keys")
                let cutoff = try #require(report.cutoff)
                guard case .date(let cutoffMs) = cutoff, case .date(let before) = report.watermarkBefore else {
                    Issue.record("cutoff is not a date"); continue
                }
                #expect(cutoffMs == before - 7 * 86_400_000)
                let ids = Set(documents.compactMap { $0["_id"].map(DocumentRules.idText) })
                let rows = try connection.execute("""
                    SELECT "_id", floor(extract(epoch FROM \(SQLIdentifier.quote(cursor))) * 1000)::bigint
                    FROM \(SQLIdentifier.qualified(Self.schema, stream.table))
                    """).rows
                for row in rows where !ids.contains(row[0]!) {
                    #expect(Int64(row[1]!)! < cutoffMs, "\(stream.name) \(row[0]!) was deleted inside the window but stayed")
                }
                #expect(report.watermarkBefore != report.outcome?.watermarkAfter)
            } else {
                #expect(try compare.mismatches(table: stream.table, documents: valid) == [], "\(stream.name)")
                #expect(try compare.count(stream.table) == valid.count, "\(stream.name): replace keeps deleted documents")
            }
        }
        let recorded = try connection.execute("""
            SELECT stream, status, watermark_before, watermark_after FROM \(SQLIdentifier.qualified(Self.metaSchema, "stream_runs"))
            WHERE run_id = $1 ORDER BY stream
            """, [String(second.run.runId)]).rows
        #expect(recorded.map { $0[0]! } == ["customers", "products", "sales", "stores", "transactions"])
        #expect(recorded.allSatisfy { $0[1] == "succeeded" })
        let salesWatermark = try connection.execute("""
            SELECT value, run_id FROM \(SQLIdentifier.qualified(Self.metaSchema, "watermarks")) WHERE stream = 'sales'
            """).rows.first
        #expect(salesWatermark?[1] == String(second.run.runId))
        #expect(salesWatermark?[0] == second.streams.first { $0.stream == "sales" }?.outcome?.watermarkAfter.flatMap(ValueText.display))

        // 3. Re-run with no source change: the same rows, and the report says so.
        let fingerprints = try try EnergizeTechProject.streams().map { try compare.fingerprint($0.table) }
        let third = try await pipeline().run()
        #expect(third.succeeded)
        #expect(third.streams.allSatisfy { $0.outcome?.tableUnchanged == true }, "\(third.streams.map { ($0.stream, $0.outcome) })")
        #expect(try try EnergizeTechProject.streams().map { try compare.fingerprint($0.table) } == fingerprints)
        // Nothing was rewritten: no row carries the third run's id, and nothing was loaded.
        for stream in try EnergizeTechProject.streams() {
            let rewritten = try connection.execute("SELECT count(*) FROM \(SQLIdentifier.qualified(Self.schema, stream.table)) WHERE _run_id = $1",
                                                   [String(third.run.runId)]).scalar
            #expect(rewritten == "0", "\(stream.name): \(rewritten ?? "?") rows rewritten by a run without changes")
        }
        #expect(third.streams.allSatisfy { $0.outcome?.rowsLoaded == 0 }, "\(third.streams.map { ($0.stream, $0.outcome?.rowsLoaded) })")
    }
}
