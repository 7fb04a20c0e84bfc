import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing

/// SIGTERM and SIGKILL in the middle of a load leave every table as its last committed run left
/// it, and the next run completes the work. Runs the `energize` binary as a separate process.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct InterruptionTests {
    static let database = "it_interrupt"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the binary; returns its exit status, or nil when a signal ended it.
    /// - Parameters:
    ///   - signal: sent once `pipeline`'s sales stream is loading (its session is in
    ///     `pg_stat_activity`), whatever the machine's speed; nil: none.
    ///   - pipeline: the pipeline the run belongs to.
    func energize(_ arguments: [String], signal: Int32?, pipeline: String = "") throws -> Int32? {
        let process = Process()
        process.executableURL = Self.repository.appendingPathComponent(".build/debug/energize")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ENERGIZE_MONGO_URI"] = try LiveServers.mongoURI()
        environment["ENERGIZE_PG_URI"] = try LiveServers.pgURI()
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if let signal {
            let watcher = try PGConnection(try LiveServers.pgURI())
            defer { watcher.close() }
            for _ in 0..<3_000 where process.isRunning {
                if try !watcher.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = $1",
                                        ["energize \(pipeline) stream sales"]).rows.isEmpty { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            #expect(process.isRunning, "the run ended before its sales stream was seen loading")
            kill(process.processIdentifier, signal)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? nil : process.terminationStatus
    }

    /// Each stream's table is either complete (its run record says it committed) or as before (absent).
    func expectConsistent(_ connection: PGConnection, schema: String, client: MongoClient) throws {
        for stream in try EnergizeTechProject.streams() {
            let exists = try connection.execute("SELECT to_regclass($1) IS NOT NULL", ["\(schema).\(stream.table)"]).scalar == "t"
            let committed = try connection.execute("""
                SELECT count(*) FROM \(schema)_meta.stream_runs WHERE stream = $1 AND status = 'succeeded'
                """, [stream.name]).scalar ?? "0"
            guard exists else {
                #expect(committed == "0", "\(stream.name): committed but no table")
                continue
            }
            let rows = Int(try connection.execute("SELECT count(*) FROM \(schema).\(stream.table)").scalar ?? "0") ?? 0
            let valid = try countValid(stream, client: client)
            #expect(rows == valid, "\(stream.name): \(rows) rows, \(valid) valid documents")
        }
    }

    func countValid(_ stream: StreamConfig, client: MongoClient) throws -> Int {
        let cursor = client.collection(stream.collection, in: Self.database).find(batchSize: 2_000)
        var count = 0
        while let document = try cursor.next() {
            if stream.rules.violation(in: document) == nil { count += 1 }
        }
        return count
    }

    @Test(arguments: [SIGTERM, SIGKILL])
    func anInterruptedRunLeavesCommittedStateAndTheNextRunCompletesIt(signal: Int32) throws {
        let client = try LiveServers.freshCollections(Self.database, try EnergizeTechProject.streams().map(\.collection))
        try SourceSeeder(uri: try LiveServers.mongoURI(), database: Self.database)
            .seed(SyntheticData(size: .init(customers: 300, sales: 6_000), seed: 9))
        let schema = "it_interrupt_\(signal)"
        let connection = try LiveServers.freshSchemas([schema, schema + "_meta"])
        defer { connection.close() }
        try connection.execute("CREATE SCHEMA \(schema)_meta")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("energize-\(UUID().uuidString).yml")
        let contracts = EnergizeTechProject.folder.appendingPathComponent("contracts").path
        defer { try? FileManager.default.removeItem(at: config) }
        try """
            pipeline: \(schema)
            source: {database: \(Self.database)}
            schemas: {raw: \(schema), meta: \(schema)_meta}
            streams:
              - {name: customers, contract: \(contracts)/customers.yml}
              - {name: products, contract: \(contracts)/products.yml}
              - {name: stores, contract: \(contracts)/stores.yml}
              - {name: sales, strategy: incremental, key: sale_id, cursor: updated_at, lookback: 7d, contract: \(contracts)/sales.yml}
              - {name: transactions, strategy: incremental, key: transaction_id, cursor: updated_at, lookback: 7d, contract: \(contracts)/transactions.yml}
            transform: {enabled: false}
            concurrency: 1
            batch_size: 200
            """.write(to: config, atomically: true, encoding: .utf8)
        let status = try energize(["run", "--config", config.path, "--quiet"], signal: signal, pipeline: schema)
        if signal == SIGTERM {
            // Sent while the sales stream loads: the run stops (exit 6) and says so.
            #expect(status == 6, "exit status \(String(describing: status))")
            #expect(try connection.execute("SELECT status FROM \(schema)_meta.runs WHERE run_id = 1").scalar == "stopped")
        }
        try expectConsistent(connection, schema: schema, client: client)
        if signal == SIGKILL {
            // Killed: the run is reported abandoned (its lock's session is gone), never running forever.
            var shown: String?
            for _ in 0..<50 {
                shown = try connection.execute("SELECT \(PGSink.statusExpression(runs: "r")) FROM \(schema)_meta.runs r WHERE run_id = 1").scalar
                if shown == "abandoned" { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            #expect(shown == "abandoned" || shown == nil, "run 1 shows \(String(describing: shown))")
        }
        // The next run completes everything.
        #expect(try energize(["run", "--config", config.path, "--quiet"], signal: nil) == 0)
        try expectConsistent(connection, schema: schema, client: client)
        for stream in try EnergizeTechProject.streams() {
            #expect(try connection.execute("SELECT to_regclass($1) IS NOT NULL", ["\(schema).\(stream.table)"]).scalar == "t", "\(stream.name)")
        }
        if signal == SIGKILL, let first = try connection.execute("SELECT status FROM \(schema)_meta.runs WHERE run_id = 1").scalar {
            #expect(first == "abandoned", "the next run records the killed one as abandoned, not \(first)")
        }
    }
}
