import EnergizeCore
import EnergizeTesting
import Foundation
import PGSink
import Testing

/// The sink contract suite (also run on `MemorySink`) against PostgreSQL.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct PGSinkContractTests {
    static let schema = "it_contract"

    func suite() throws -> SinkContractSuite {
        let uri = try LiveServers.pgURI()
        let sink = PGSink(connectionString: uri, settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta"))
        return SinkContractSuite(sink: sink, prefix: "") { table, key in
            let connection = try PGConnection(uri)
            defer { connection.close() }
            return try connection.execute("""
                SELECT \(SQLIdentifier.quote(key)), status FROM \(SQLIdentifier.qualified(Self.schema, table))
                """).rows.map { ($0[0] ?? "NULL", $0[1] ?? "NULL") }
        }
    }

    @Test func incrementalStrategyFollowsWarehouseSpec() async throws {
        try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"]).close()
        try await suite().incremental()
    }

    @Test func replaceStrategyFollowsWarehouseSpec() async throws {
        try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"]).close()
        try await suite().replace()
    }

    @Test func batchBoundariesLoadEveryRowOnce() async throws {
        try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"]).close()
        try await suite().batchBoundaries()
    }

    @Test func aFailedLoadRollsBackDataAndWatermarkAndRecordsWhy() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.schema + "_meta"])
        defer { connection.close() }
        let uri = try LiveServers.pgURI()
        let source = MemorySource()
        let stream = StreamConfig("sales", strategy: .incremental(cursor: "updated_at", key: "sale_id", lookback: .days(1)))
        let pipeline = Pipeline(name: "it-rollback", source: source,
                                sink: PGSink(connectionString: uri, settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.schema + "_meta")),
                                streams: [stream])
        source.set("sales", [["sale_id": .string("1"), "status": .string("completed"), "updated_at": .date(1_000)]])
        #expect(try await pipeline.run().succeeded)
        try connection.execute("ALTER TABLE \(Self.schema).sales ADD CONSTRAINT no_returns CHECK (status <> 'returned')")
        source.set("sales", [["sale_id": .string("1"), "status": .string("returned"), "updated_at": .date(2_000)],
                             ["sale_id": .string("2"), "status": .string("completed"), "updated_at": .date(2_000)]])
        let failed = try await pipeline.run()
        let report = try #require(failed.streams.first)
        #expect(report.status == .failed)
        #expect(report.error?.contains("stream sales") == true)
        #expect(report.error?.contains("23514") == true)
        #expect(report.error?.contains("energize-local") == false)
        #expect(report.retryability == .terminal)
        let rows = try connection.execute("SELECT sale_id, status FROM \(Self.schema).sales").rows
        #expect(rows.count == 1 && rows[0] == ["1", "completed"])
        let watermark = try connection.execute("SELECT value FROM \(Self.schema)_meta.watermarks WHERE stream = 'sales'").scalar
        #expect(watermark == "1970-01-01T00:00:01.000Z")
        let recorded = try connection.execute("""
            SELECT status, error FROM \(Self.schema)_meta.stream_runs WHERE run_id = $1
            """, [String(failed.run.runId)]).rows
        #expect(recorded.first?[0] == "failed")
        #expect(recorded.first?[1]?.contains("no_returns") == true)
        let run = try connection.execute("SELECT status FROM \(Self.schema)_meta.runs WHERE run_id = $1", [String(failed.run.runId)]).scalar
        #expect(run == "failed")
    }

    @Test func anUnreachableServerIsAClearTransientErrorWithoutThePassword() async throws {
        let sink = PGSink(connectionString: "postgresql://energize:s3cret@127.0.0.1:1/energize?connect_timeout=2")
        let pipeline = Pipeline(name: "it-unreachable", source: MemorySource(), sink: sink, streams: [StreamConfig("x")])
        do {
            _ = try await pipeline.run()
            Issue.record("the run started without a server")
        } catch let error as PGError {
            #expect(error.retryability == .transient)
            #expect(!"\(error)".contains("s3cret"))
            #expect("\(error)".contains("postgresql://energize:***@127.0.0.1:1/energize"))
        }
    }
}
