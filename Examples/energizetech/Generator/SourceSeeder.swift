import EnergizeCore
import MongoSource

/// Writes the synthetic EnergizeTech dataset and its days of changes into MongoDB.
public struct SourceSeeder {
    public var uri: String
    public var database: String
    /// Seed even a database holding collections no seed wrote.
    public var force = false

    /// A seeder of one database.
    /// - Parameters:
    ///   - uri: the MongoDB connection string.
    ///   - database: the database whose five collections it writes.
    public init(uri: String, database: String) {
        self.uri = uri
        self.database = database
    }

    /// Replaces the five collections with a fresh dataset; returns documents written per collection.
    @discardableResult
    public func seed(_ data: SyntheticData) throws -> [String: Int] {
        let client = try MongoClient(uri: uri)
        try client.ping()
        try SeedMarker.check(client, database: database, force: force)
        var written: [String: Int] = [:]
        for name in ["customers", "products", "stores", "sales", "transactions"] {
            try client.collection(name, in: database).drop()
        }
        let reference = data.referenceData()
        for (name, documents) in [("customers", reference.customers), ("products", reference.products), ("stores", reference.stores)] {
            try insert(documents, into: client.collection(name, in: database))
            written[name] = documents.count
        }
        let sales = client.collection("sales", in: database)
        let transactions = client.collection("transactions", in: database)
        try data.salesAndTransactions { saleChunk, transactionChunk in
            try insert(saleChunk, into: sales)
            try insert(transactionChunk, into: transactions)
            written["sales", default: 0] += saleChunk.count
            written["transactions", default: 0] += transactionChunk.count
        }
        try SeedMarker.mark(client, database: database, collections: ["customers", "products", "stores", "sales", "transactions"])
        return written
    }

    /// Applies one day of changes; returns how many documents were inserted, replaced and deleted.
    @discardableResult
    public func touch(_ day: DayOfChanges) throws -> (inserted: Int, replaced: Int, deleted: Int) {
        let client = try MongoClient(uri: uri)
        let snapshot = try snapshot(client)
        var counts = (inserted: 0, replaced: 0, deleted: 0)
        for change in day.changes(to: snapshot) {
            switch change {
            case .insert(let collection, let documents):
                try insert(documents, into: client.collection(collection, in: database))
                counts.inserted += documents.count
            case .replace(let collection, let id, let document):
                try client.collection(collection, in: database).replaceOne(["_id": id], with: document)
                counts.replaced += 1
            case .delete(let collection, let id):
                try client.collection(collection, in: database).deleteMany(["_id": id])
                counts.deleted += 1
            }
        }
        return counts
    }

    private func insert(_ documents: [Document], into collection: MongoCollection) throws {
        var start = 0
        while start < documents.count {
            let end = min(start + 1_000, documents.count)
            try collection.insertMany(Array(documents[start..<end]))
            start = end
        }
    }

    private func snapshot(_ client: MongoClient) throws -> DayOfChanges.Snapshot {
        func all(_ name: String, _ filter: Document = Document(), limit: Int = 0) throws -> [Document] {
            let cursor = client.collection(name, in: database).find(filter, limit: limit, batchSize: 5_000)
            var documents: [Document] = []
            while let document = try cursor.next() { documents.append(document) }
            return documents
        }
        func latest(_ collection: String, _ field: String) throws -> Value? {
            try client.collection(collection, in: database).findOne(sort: [field: .int32(-1)], projection: [field: .int32(1)])?[field]
        }
        var clock = SyntheticData.historyStart
        for name in ["customers", "products", "stores", "sales", "transactions"] {
            if case .date(let ms) = try latest(name, "updated_at") { clock = max(clock, ms) }
        }
        clock += 60_000
        let day: Int64 = 86_400_000
        func number(_ value: Value?) -> Int {
            if case .string(let text) = value { return Int(text.drop { !$0.isNumber }) ?? 0 }
            return 0
        }
        return DayOfChanges.Snapshot(
            customers: try all("customers"), products: try all("products"), stores: try all("stores"),
            recentSales: try all("sales", ["sold_at": .document(["$gte": .date(clock - 30 * day)])]),
            olderSales: try all("sales", ["sold_at": .document(["$gte": .date(clock - 120 * day), "$lt": .date(clock - 60 * day)])], limit: 200),
            lastSaleNumber: number(try latest("sales", "sale_id")),
            lastTransactionNumber: number(try latest("transactions", "transaction_id")),
            clock: clock)
    }
}
