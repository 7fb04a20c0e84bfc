import ArgumentParser
import EnergizeCore
import MongoSource
import PGSink

/// `energize verify`: checks that every source document is in its table or in `_rejects`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare MongoDB document counts with PostgreSQL rows plus rejected documents.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let balances = try LoadBalance.measure(mongoURI: try config.requireMongo(), database: config.sourceDatabase,
                                               pgURI: try config.requirePG(), rawSchema: config.rawSchema, streams: config.streams)
        let rows = balances.map { [$0.stream, String($0.sourceDocuments), String($0.tableRows), String($0.rejected),
                                   $0.balanced ? "ok" : "MISMATCH"] }
        print(Table.render(header: ["collection", "mongodb", "table rows", "rejected", "rows + rejected = mongodb"], rows: rows))
        if balances.contains(where: { !$0.balanced }) { throw ExitCode(1) }
    }
}

/// Source documents against loaded rows plus rejected documents, per stream.
public struct LoadBalance: Sendable, Hashable {
    public var stream: String
    public var sourceDocuments: Int
    public var tableRows: Int
    /// Documents rejected and not loaded since (distinct `_id`s in `_rejects` absent from the table).
    public var rejected: Int

    public var balanced: Bool { tableRows + rejected == sourceDocuments }

    /// Counts both sides for each stream.
    public static func measure(mongoURI: String, database: String, pgURI: String, rawSchema: String,
                               streams: [StreamConfig]) throws -> [LoadBalance] {
        let client = try MongoClient(uri: mongoURI)
        let connection = try PGConnection(pgURI)
        defer { connection.close() }
        let rejects = PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: rawSchema)).rejectsTable
        return try streams.map { stream in
            let table = SQLIdentifier.qualified(rawSchema, stream.table)
            let rows = Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0
            let rejected = Int(try connection.execute("""
                SELECT count(DISTINCT r.document_id) FROM \(rejects) r
                WHERE r.collection = $1 AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t."_id" = r.document_id)
                """, [stream.collection]).scalar ?? "0") ?? 0
            let documents = try client.collection(stream.collection, in: database).count()
            return LoadBalance(stream: stream.name, sourceDocuments: documents, tableRows: rows, rejected: rejected)
        }
    }
}
