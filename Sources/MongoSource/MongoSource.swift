import EnergizeCore

/// A `Source` that reads collections of one MongoDB database through libmongoc.
///
/// Every reader opens its own client (libmongoc clients are single-threaded), so
/// streams extract in parallel.
public struct MongoSource: Source {
    /// The MongoDB connection string; errors print it with its password masked.
    public var uri: String
    /// The database holding the collections.
    public var database: String
    /// How collections are read (range pages, batch size).
    public var options: MongoReadOptions

    /// A source reading the collections of `database`.
    /// - Parameters:
    ///   - uri: a MongoDB connection string; its password is never printed.
    ///   - database: the database holding the collections.
    ///   - options: how collections are read (default: one cursor, 5,000 documents per reply).
    public init(uri: String, database: String, options: MongoReadOptions = MongoReadOptions()) {
        self.uri = uri
        self.database = database
        self.options = options
    }

    /// See `Source.openReader(_:)`.
    public func openReader(_ request: ExtractRequest) throws -> any DocumentReader {
        let client = try MongoClient(uri: uri)
        do {
            return try MongoCollectionReader(client: client, database: database, request: request, options: options)
        } catch {
            throw EnergizeError(.sourceFailed, "cannot read collection \(request.stream.collection)",
                                context: ["stream": request.stream.name, "mongo.collection": request.stream.collection,
                                          "mongo.uri": client.redactedURI],
                                retryability: (error as? any RetryClassifying)?.retryability ?? .terminal,
                                underlying: error)
        }
    }
}
