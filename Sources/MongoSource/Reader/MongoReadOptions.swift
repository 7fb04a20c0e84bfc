/// How a `MongoSource` reads a collection.
public struct MongoReadOptions: Sendable, Hashable {
    /// Documents per `_id` range query; 0 reads with one cursor. Range pages keep every
    /// cursor short and are how readers split a collection; they are used only when the
    /// collection's smallest and greatest `_id` (within the filter) are both ObjectIds,
    /// which in BSON order means every `_id` between them is one.
    public var pageSize: Int
    /// Documents per server reply.
    public var batchSize: Int

    public init(pageSize: Int = 20_000, batchSize: Int = 5_000) {
        self.pageSize = max(0, pageSize)
        self.batchSize = max(1, batchSize)
    }
}
