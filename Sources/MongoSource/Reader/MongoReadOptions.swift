/// How a `MongoSource` reads a collection.
public struct MongoReadOptions: Sendable, Hashable {
    /// Documents per `_id` range query; 0 (the default) reads with one cursor. Range pages
    /// keep every cursor short and are how readers split a collection; they are used only
    /// when the collection's smallest and greatest `_id` (within the filter) are both
    /// ObjectIds, which in BSON order means every `_id` between them is one. One cursor is
    /// the default because it was the fastest measured (BENCHMARKS.md in the repository): the local test
    /// server evaluates `_id` ranges document by document.
    public var pageSize: Int
    /// Documents per server reply.
    public var batchSize: Int

    /// Read options; a negative page size counts as 0 and a batch size below 1 as 1.
    /// - Parameters:
    ///   - pageSize: documents per `_id` range query; 0 reads with one cursor.
    ///   - batchSize: documents per server reply.
    public init(pageSize: Int = 0, batchSize: Int = 5_000) {
        self.pageSize = max(0, pageSize)
        self.batchSize = max(1, batchSize)
    }
}
