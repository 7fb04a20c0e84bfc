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
                                               pgURI: try config.requirePG(), rawSchema: config.rawSchema, metaSchema: config.metaSchema,
                                               streams: config.streams)
        let rows = balances.map { balance -> [String] in
            guard balance.loaded else { return [balance.stream, String(balance.sourceDocuments), "-", "-", "-", "-", "-", "NOT LOADED"] }
            return [balance.stream, String(balance.sourceDocuments), String(balance.tableRows), String(balance.rejected),
                    String(balance.missing.count), String(balance.extra.count + balance.goneRejected.count), String(balance.stale.count),
                    balance.balanced ? "ok" : "MISMATCH"]
        }
        print(Table.render(header: ["collection", "mongodb", "table rows", "rejected", "missing", "gone", "stale", "every key accounted for"],
                           rows: rows, rightAligned: [1, 2, 3, 4, 5, 6]))
        for balance in balances {
            if !balance.loaded { print("  \(balance.stream): no table \(config.rawSchema).\(balance.stream) yet: run `energize run`") }
            func say(_ ids: [String], _ what: String) {
                if !ids.isEmpty { print("  \(balance.stream): \(what): " + ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? ", …" : "")) }
            }
            say(balance.missing, "in MongoDB, neither in the table nor rejected")
            say(balance.extra, "in the table, gone from MongoDB (deleted outside the look-back window, or not re-read)")
            say(balance.goneRejected, "in _rejects, gone from MongoDB (deleted after it was rejected; a batch load does not see that delete)")
            say(balance.stale, "in the table as an older version whose newer one was rejected (see _rejects)")
            if !balance.missing.isEmpty || !balance.extra.isEmpty || !balance.goneRejected.isEmpty {
                print("  \(balance.stream): `energize run --reload --streams \(balance.stream)` reads the whole collection once and makes the table and its rejects what MongoDB holds")
            }
        }
        if balances.contains(where: { !$0.balanced }) { throw ExitCode(1) }
    }
}

/// Each stream's MongoDB documents against its table and `_rejects`, key by key.
public struct LoadBalance: Sendable, Hashable {
    /// The stream.
    public var stream: String
    /// Whether the stream's table exists (it has loaded at least once).
    public var loaded: Bool
    /// Documents in the collection.
    public var sourceDocuments: Int
    /// Rows in the table.
    public var tableRows: Int
    /// Documents rejected and not in the table (current `_rejects` rows).
    public var rejected: Int
    /// `_id`s in MongoDB that are neither in the table nor rejected (a few, as text).
    public var missing: [String]
    /// `_id`s in the table that MongoDB no longer has.
    public var extra: [String]
    /// `_id`s in the table whose newer version was rejected: the row is an older version.
    public var stale: [String]
    /// `_id`s of current rejects that MongoDB no longer has (deleted after it was rejected).
    public var goneRejected: [String] = []

    /// Whether every key is accounted for: each document is a row or a reject, and each row a document's current version.
    public var balanced: Bool { loaded && missing.isEmpty && extra.isEmpty && goneRejected.isEmpty && stale.isEmpty }

    /// Compares the keys of both sides for each stream (`_id` as text: an ObjectId's hex, a
    /// string as it is, other values as JSON — the form `_rejects` uses).
    /// - Parameters:
    ///   - mongoURI: the MongoDB connection string.
    ///   - database: the MongoDB database.
    ///   - pgURI: the PostgreSQL connection string.
    ///   - rawSchema: the schema of the raw tables and `_rejects`.
    ///   - metaSchema: the project's meta schema (brought up to date first).
    ///   - streams: the streams to check.
    /// - Throws: when a server cannot be reached or read.
    public static func measure(mongoURI: String, database: String, pgURI: String, rawSchema: String, metaSchema: String,
                               streams: [StreamConfig]) throws -> [LoadBalance] {
        let client = try MongoClient(uri: mongoURI)
        let connection = try PGConnection(pgURI, applicationName: "energize verify")
        defer { connection.close() }
        let sink = PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: rawSchema, metaSchema: metaSchema))
        try sink.prepare()
        let rejects = sink.rejectsTable
        return try streams.map { stream in
            let table = SQLIdentifier.qualified(rawSchema, stream.table)
            let documents = try client.collection(stream.collection, in: database).count()
            guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [table]).scalar == "t" else {
                return LoadBalance(stream: stream.name, loaded: false, sourceDocuments: documents, tableRows: 0, rejected: 0,
                                   missing: [], extra: [], stale: [])
            }
            return try connection.transaction {
                try connection.execute("CREATE TEMP TABLE energize_verify_ids (id text PRIMARY KEY) ON COMMIT DROP")
                let cursor = client.collection(stream.collection, in: database).find(projection: ["_id": .int32(1)], batchSize: 10_000)
                var chunk: [[String?]] = []
                func flush() throws {
                    guard !chunk.isEmpty else { return }
                    _ = try connection.copy("COPY energize_verify_ids (id) FROM STDIN", data: CopyTextEncoder.encode(rows: chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
                while let document = try cursor.next() {
                    chunk.append([document["_id"].map(DocumentRules.idText)])
                    if chunk.count == 10_000 { try flush() }
                }
                try flush()
                func ids(_ sql: String, _ parameters: [String?]) throws -> [String] {
                    try connection.execute(sql, parameters).rows.compactMap { $0.first ?? nil }
                }
                let rows = Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0
                let current = "SELECT r.document_id FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load'"
                return LoadBalance(
                    stream: stream.name, loaded: true, sourceDocuments: documents, tableRows: rows,
                    rejected: Int(try connection.execute("""
                        SELECT count(DISTINCT r.document_id) FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load'
                          AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t."_id"::text = r.document_id)
                        """, [stream.collection]).scalar ?? "0") ?? 0,
                    missing: try ids("""
                        SELECT m.id FROM energize_verify_ids m WHERE NOT EXISTS (SELECT 1 FROM \(table) t WHERE t."_id"::text = m.id)
                          AND m.id NOT IN (\(current) AND r.document_id IS NOT NULL) ORDER BY 1 LIMIT 1000
                        """, [stream.collection]),
                    extra: try ids("""
                        SELECT t."_id"::text FROM \(table) t WHERE NOT EXISTS (SELECT 1 FROM energize_verify_ids m WHERE m.id = t."_id"::text)
                        ORDER BY 1 LIMIT 1000
                        """, []),
                    stale: try ids("""
                        SELECT t."_id"::text FROM \(table) t WHERE t."_id"::text IN (\(current)) ORDER BY 1 LIMIT 1000
                        """, [stream.collection]),
                    goneRejected: try ids("""
                        SELECT DISTINCT r.document_id FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load' AND r.document_id IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM energize_verify_ids m WHERE m.id = r.document_id) ORDER BY 1 LIMIT 1000
                        """, [stream.collection]))
            }
        }
    }
}
