internal import CMongoC
import EnergizeCore

/// Walks every document matching a filter, in `_id` range pages or with one cursor,
/// handing each raw `bson_t` to a closure; the only place that pages a collection.
struct PagedScan {
    let collection: MongoCollection
    let filter: Document
    /// Page by `_id` (only valid when every matching `_id` is an ObjectId).
    let paged: Bool
    let pageSize: Int
    let batchSize: Int

    /// Calls `body` with each document.
    /// - Important: the `bson_t` is borrowed from the cursor and valid only during the call.
    func run(_ body: (OpaquePointer) throws -> Void) throws {
        let iterator = energize_iter_new()!
        defer { energize_iter_free(iterator) }
        var lastId: Value?
        while true {
            var pageFilter = filter
            if let lastId {
                let idFilter: Document = ["_id": .document(["$gt": lastId])]
                pageFilter = filter.fields.isEmpty ? idFilter : ["$and": .array([.document(filter), .document(idFilter)])]
            }
            let cursor = paged
                ? collection.find(pageFilter, sort: ["_id": .int32(1)], limit: pageSize, batchSize: min(batchSize, pageSize))
                : collection.find(filter, batchSize: batchSize)
            var inPage = 0
            var bson: OpaquePointer?
            while mongoc_cursor_next(cursor.handle, &bson), let bson {
                inPage += 1
                if paged, bson_iter_init_find(iterator, bson, "_id"), bson_iter_type(iterator) == BSON_TYPE_OID {
                    var text = [CChar](repeating: 0, count: 25)
                    bson_oid_to_string(bson_iter_oid(iterator), &text)
                    lastId = .objectId(String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                try body(bson)
            }
            try withBSONError { error in
                if mongoc_cursor_error(cursor.handle, error) { throw MongoError(operation: cursor.operation, error: error) }
            }
            if !paged || inPage < pageSize { return }
        }
    }
}
