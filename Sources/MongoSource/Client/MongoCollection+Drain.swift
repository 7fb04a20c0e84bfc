internal import CMongoC
import EnergizeCore

extension MongoCollection {
    /// What a raw drain read.
    package struct DrainResult: Sendable, Hashable {
        /// Documents read.
        package var documents: Int
        /// Their BSON size, in bytes.
        package var bytes: Int
    }

    /// Reads every document without converting it: the floor any reader of this collection
    /// can reach, used as the baseline of the benchmark.
    /// - Parameters:
    ///   - pageSize: documents per `_id` range query (the collection's `_id`s must be ObjectIds); 0 for one cursor.
    ///   - batchSize: documents per server reply.
    package func drainRaw(pageSize: Int, batchSize: Int = 5_000) throws -> DrainResult {
        var result = DrainResult(documents: 0, bytes: 0)
        try PagedScan(collection: self, filter: Document(), paged: pageSize > 0, pageSize: pageSize, batchSize: batchSize).run { bson in
            result.documents += 1
            result.bytes += Int(energize_bson_len(bson))
        }
        return result
    }
}
