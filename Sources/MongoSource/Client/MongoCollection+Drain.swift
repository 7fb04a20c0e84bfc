internal import CMongoC
import EnergizeCore
import Foundation

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

    /// Writes every document, as read, to `file` in mongodump's format (the documents' BSON one
    /// after another): the benchmark's dump of a collection.
    /// - Parameters:
    ///   - file: the `.bson` file to write (replaced).
    ///   - batchSize: documents per server reply.
    /// - Returns: what was written.
    package func dumpRaw(to file: URL, batchSize: Int = 5_000) throws -> DrainResult {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var result = DrainResult(documents: 0, bytes: 0)
        var buffer = Data()
        try PagedScan(collection: self, filter: Document(), paged: false, pageSize: 0, batchSize: batchSize).run { bson in
            let length = Int(energize_bson_len(bson))
            buffer.append(bson_get_data(bson), count: length)
            result.documents += 1
            result.bytes += length
            if buffer.count >= 1 << 22 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
        return result
    }
}
