import EnergizeCore

/// Reads one collection, optionally only documents whose cursor field is `>=` a floor,
/// in `_id` range pages when it can, else with a single cursor.
final class MongoCollectionReader: DocumentReader {
    private let client: MongoClient
    private let collection: MongoCollection
    private let filter: Document
    private let options: MongoReadOptions
    let estimatedCount: Int?
    private var cursor: MongoCursor?
    private var paged: Bool
    private var lastId: Value?
    private var readInPage = 0
    private var finished = false

    init(client: MongoClient, database: String, request: ExtractRequest, options: MongoReadOptions) throws {
        self.client = client
        self.collection = client.collection(request.stream.collection, in: database)
        self.options = options
        if let floor = request.cursorFloor, let cursorField = request.stream.strategy.cursorField {
            filter = [cursorField: .document(["$gte": floor])]
        } else {
            filter = Document()
        }
        estimatedCount = try? collection.estimatedCount()
        paged = false
        if options.pageSize > 0 {
            let idOnly: Document = ["_id": .int32(1)]
            let smallest = try collection.findOne(filter, sort: ["_id": .int32(1)], projection: idOnly)
            let greatest = try collection.findOne(filter, sort: ["_id": .int32(-1)], projection: idOnly)
            if case .objectId = smallest?["_id"], case .objectId = greatest?["_id"] { paged = true }
            if smallest == nil { finished = true }
        }
    }

    func next() throws -> Document? {
        while !finished {
            if cursor == nil { cursor = openCursor() }
            if let document = try cursor!.next() {
                readInPage += 1
                lastId = document["_id"]
                return document
            }
            cursor = nil
            // A page that came back short was the last one; a full one may have a successor.
            if !paged || readInPage < options.pageSize { finished = true }
            readInPage = 0
        }
        return nil
    }

    private func openCursor() -> MongoCursor {
        guard paged else {
            return collection.find(filter, batchSize: options.batchSize)
        }
        var pageFilter = filter
        if let lastId {
            let idFilter: Document = ["_id": .document(["$gt": lastId])]
            pageFilter = filter.fields.isEmpty ? idFilter : ["$and": .array([.document(filter), .document(idFilter)])]
        }
        return collection.find(pageFilter, sort: ["_id": .int32(1)], limit: options.pageSize,
                               batchSize: min(options.batchSize, options.pageSize))
    }
}
