import EnergizeCore
import Foundation

/// MongoDB's change streams as a ``ChangeSource``: each feed is a ``MongoChangeStream`` on a
/// client of its own; positions are resume tokens as BSON bytes.
public struct MongoChangeSource: ChangeSource {
    /// The connection string.
    public let uri: String
    /// The database of the collections.
    public let database: String
    /// How snapshots read.
    public let options: MongoReadOptions
    /// How long the server may hold a `getMore` while no change comes, in milliseconds.
    public let maxAwaitMilliseconds: Int

    /// A change source over one database.
    /// - Parameters:
    ///   - uri: the connection string; its password is never printed.
    ///   - database: the database of the collections.
    ///   - options: how snapshots read (page size, batch size).
    ///   - maxAwaitMilliseconds: how long the server may hold a `getMore` while no change comes.
    public init(uri: String, database: String, options: MongoReadOptions = MongoReadOptions(), maxAwaitMilliseconds: Int = 200) {
        self.uri = uri
        self.database = database
        self.options = options
        self.maxAwaitMilliseconds = maxAwaitMilliseconds
    }

    /// See `ChangeSource.snapshots`.
    public var snapshots: any Source { MongoSource(uri: uri, database: database, options: options) }

    /// See `ChangeSource.openChanges(collection:after:)`.
    public func openChanges(collection: String, after position: Data?) throws -> any ChangeFeed {
        let client = try MongoClient(uri: uri)
        do {
            let stream = try client.collection(collection, in: database)
                .watch(resumeAfter: position.map(MongoChangeStream.token(bytes:)), maxAwaitMilliseconds: maxAwaitMilliseconds)
            return MongoChangeFeed(client: client, stream: stream)
        } catch let error as MongoError where error.isResumeImpossible {
            throw EnergizeError(.resumeImpossible, "MongoDB cannot resume the change stream of \(database).\(collection)", underlying: error)
        }
    }
}

/// A change stream and the client it lives on.
final class MongoChangeFeed: ChangeFeed {
    private let client: MongoClient
    private let stream: MongoChangeStream

    init(client: MongoClient, stream: MongoChangeStream) {
        self.client = client
        self.stream = stream
    }

    func next() throws -> ChangeEvent? {
        do {
            return try stream.next()
        } catch let error as MongoError where error.isResumeImpossible {
            throw EnergizeError(.resumeImpossible, "MongoDB cannot go on with a change stream", underlying: error)
        }
    }

    var position: Data? { stream.resumeToken.map(MongoChangeStream.bytes(of:)) }

    func position(after event: ChangeEvent) -> Data { MongoChangeStream.bytes(of: event.resumeToken) }
}
