internal import CMongoC
import EnergizeCore

extension MongoCollection {
    /// What a raw drain read.
    public struct DrainResult: Sendable, Hashable {
        public var documents: Int
        public var bytes: Int
    }

    /// Reads every document without converting it: the floor any reader of this collection
    /// can reach, used as the baseline of the benchmark.
    /// - Parameters:
    ///   - pageSize: documents per `_id` range query (ObjectId `_id`s); 0 for one cursor.
    ///   - batchSize: documents per server reply.
    public func drainRaw(pageSize: Int, batchSize: Int = 5_000) throws -> DrainResult {
        var result = DrainResult(documents: 0, bytes: 0)
        let iterator = energize_iter_new()!
        defer { energize_iter_free(iterator) }
        var lastId: Value?
        while true {
            var filter = Document()
            if let lastId { filter = ["_id": .document(["$gt": lastId])] }
            let cursor = pageSize > 0
                ? find(filter, sort: ["_id": .int32(1)], limit: pageSize, batchSize: min(batchSize, pageSize))
                : find(filter, batchSize: batchSize)
            var inPage = 0
            var bson: OpaquePointer?
            while mongoc_cursor_next(cursor.handle, &bson), let bson {
                inPage += 1
                result.bytes += Int(energize_bson_len(bson))
                if pageSize > 0, bson_iter_init_find(iterator, bson, "_id"), bson_iter_type(iterator) == BSON_TYPE_OID {
                    var text = [CChar](repeating: 0, count: 25)
                    bson_oid_to_string(bson_iter_oid(iterator), &text)
                    lastId = .objectId(String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
            }
            try withBSONError { error in
                if mongoc_cursor_error(cursor.handle, error) { throw MongoError(operation: "drain \(namespace)", error: error) }
            }
            result.documents += inPage
            if pageSize == 0 || inPage < pageSize { return result }
        }
    }
}
