import EnergizeCore
import MongoSource
import PGSink

/// Each stream's MongoDB documents against its table and `_rejects`, key by key.
public struct LoadBalance: Sendable, Hashable {
    /// Keys in one state (missing, gone, stale): how many, and the first of them.
    public struct Keys: Sendable, Hashable, ExpressibleByArrayLiteral {
        /// How many keys are in the state.
        public var count: Int
        /// The first of them in key order, at most 1,000: a keyed stream's key with the document's
        /// `_id` (`S-0001 (_id 65af…)`), else the `_id`.
        public var examples: [String]
        /// Whether no key is in the state.
        public var isEmpty: Bool { count == 0 }

        /// Keys in a state.
        /// - Parameters:
        ///   - count: how many there are.
        ///   - examples: the first of them.
        public init(count: Int, examples: [String]) {
            self.count = count
            self.examples = examples
        }

        /// All the keys in a state, given whole.
        /// - Parameter elements: the keys.
        public init(arrayLiteral elements: String...) {
            self.init(count: elements.count, examples: elements)
        }
    }

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
    /// Documents in MongoDB that are neither in the table nor rejected.
    public var missing: Keys
    /// Rows in the table whose document MongoDB no longer has.
    public var extra: Keys
    /// Rows in the table whose document's newer version was rejected: the row is an older version.
    public var stale: Keys
    /// Current rejects whose document MongoDB no longer has (deleted after it was rejected).
    public var goneRejected: Keys = []

    /// Whether every key is accounted for: each document is a row or a reject, and each row a document's current version.
    public var balanced: Bool { loaded && missing.isEmpty && extra.isEmpty && goneRejected.isEmpty && stale.isEmpty }

    /// How many examples a state keeps.
    static let exampleLimit = 1_000

    /// Compares the keys of both sides for each stream (`_id` as text: an ObjectId's hex, a
    /// string as it is, other values as JSON — the form `_rejects` uses); a keyed stream's
    /// examples also name its key (`sale_id`, read from MongoDB, the table or the rejected document).
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
            var table = SQLIdentifier.qualified(rawSchema, stream.table)
            let documents = try client.collection(stream.collection, in: database).count()
            guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [table]).scalar == "t" else {
                return LoadBalance(stream: stream.name, loaded: false, sourceDocuments: documents, tableRows: 0, rejected: 0,
                                   missing: [], extra: [], stale: [])
            }
            func hasColumn(_ column: String) throws -> Bool {
                try !connection.execute("""
                    SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3
                    """, [rawSchema, stream.table, column]).rows.isEmpty
            }
            let rows = Int(try connection.execute("SELECT count(*) FROM \(table)").scalar ?? "0") ?? 0
            // A table loaded from an empty collection has no `_id` column (nor any row): read as none.
            if try !hasColumn("_id") {
                guard rows == 0 else { throw CLIError.failed("\(table) has \(rows) rows but no _id column: it was not loaded by energize") }
                table = #"(SELECT NULL::text AS "_id" WHERE false)"#
            }
            // The business key, when the stream has one other than `_id` and the table holds it under its own name.
            var key = stream.strategy.keyField.flatMap { $0 == "_id" || $0.contains(".") ? nil : $0 }
            if let field = key, try !hasColumn(field) { key = nil }
            return try connection.transaction {
                try connection.execute("CREATE TEMP TABLE energize_verify_ids (id text PRIMARY KEY, key text) ON COMMIT DROP")
                var projection: Document = ["_id": .int32(1)]
                if let key { projection.fields.append(Field(key, .int32(1))) }
                let cursor = client.collection(stream.collection, in: database).find(projection: projection, batchSize: 10_000)
                var chunk: [[String?]] = []
                func flush() throws {
                    guard !chunk.isEmpty else { return }
                    _ = try connection.copy("COPY energize_verify_ids (id, key) FROM STDIN", data: CopyTextEncoder.encode(rows: chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
                while let document = try cursor.next() {
                    chunk.append([document["_id"].map(DocumentRules.idText), key.flatMap { document[$0] }.map(DocumentRules.idText)])
                    if chunk.count == 10_000 { try flush() }
                }
                try flush()
                /// The keys a query finds: `sql` selects the key text (NULL without a key) and the `_id` text, from `source`.
                func keys(_ select: (key: String, id: String), from source: String, _ parameters: [String?]) throws -> Keys {
                    let rows = try connection.execute("""
                        SELECT k.key, k.id, count(*) OVER () FROM (SELECT \(select.key) AS key, \(select.id) AS id \(source)) k
                        ORDER BY k.key, k.id LIMIT \(exampleLimit)
                        """, parameters).rows
                    let examples = rows.map { row in
                        let id = row[1] ?? "NULL"
                        return row[0].map { "\($0) (_id \(id))" } ?? id
                    }
                    return Keys(count: Int(rows.first?[2] ?? "0") ?? 0, examples: examples)
                }
                let tableKey = key.map { "t.\(SQLIdentifier.quote($0))::text" } ?? "NULL::text"
                let current = "SELECT r.document_id FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load'"
                return LoadBalance(
                    stream: stream.name, loaded: true, sourceDocuments: documents, tableRows: rows,
                    rejected: Int(try connection.execute("""
                        SELECT count(DISTINCT r.document_id) FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load'
                          AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t."_id"::text = r.document_id)
                        """, [stream.collection]).scalar ?? "0") ?? 0,
                    missing: try keys((key: "m.key", id: "m.id"), from: """
                        FROM energize_verify_ids m WHERE NOT EXISTS (SELECT 1 FROM \(table) t WHERE t."_id"::text = m.id)
                          AND m.id NOT IN (\(current) AND r.document_id IS NOT NULL)
                        """, [stream.collection]),
                    extra: try keys((key: tableKey, id: #"t."_id"::text"#), from: """
                        FROM \(table) t WHERE NOT EXISTS (SELECT 1 FROM energize_verify_ids m WHERE m.id = t."_id"::text)
                        """, []),
                    stale: try keys((key: tableKey, id: #"t."_id"::text"#), from: """
                        FROM \(table) t WHERE t."_id"::text IN (\(current))
                        """, [stream.collection]),
                    goneRejected: try keys((key: key == nil ? "NULL::text" : "min(r.document ->> $2::text)", id: "r.document_id"), from: """
                        FROM \(rejects) r WHERE r.collection = $1 AND r.origin = 'load' AND r.document_id IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM energize_verify_ids m WHERE m.id = r.document_id) GROUP BY r.document_id
                        """, [stream.collection] + (key.map { [$0] } ?? [])))
            }
        }
    }
}
