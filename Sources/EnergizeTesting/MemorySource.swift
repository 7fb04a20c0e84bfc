import EnergizeCore
import Foundation

/// An in-memory fake `Source`: collections of documents you set and change by hand.
///
/// A fake for tests: it honours the cursor floor of incremental requests (comparing dates
/// and numbers) and otherwise returns documents in insertion order.
public final class MemorySource: Source, @unchecked Sendable {
    // @unchecked Sendable: `collections` is only touched while holding `lock`.
    private let lock = NSLock()
    private var collections: [String: [Document]] = [:]

    /// A source holding `collections`.
    /// - Parameter collections: documents by collection name, in the order readers return them.
    public init(_ collections: [String: [Document]] = [:]) {
        self.collections = collections
    }

    /// Replaces a collection's documents.
    /// - Parameters:
    ///   - collection: the collection's name.
    ///   - documents: its new documents, in order.
    public func set(_ collection: String, _ documents: [Document]) {
        lock.withLock { collections[collection] = documents }
    }

    /// Adds documents, or replaces those with the same `_id`.
    /// - Parameters:
    ///   - collection: the collection's name.
    ///   - documents: documents to add or, by `_id`, to replace in place.
    public func upsert(_ collection: String, _ documents: [Document]) {
        lock.withLock {
            var current = collections[collection, default: []]
            for document in documents {
                if let index = current.firstIndex(where: { $0["_id"] == document["_id"] && document["_id"] != nil }) {
                    current[index] = document
                } else {
                    current.append(document)
                }
            }
            collections[collection] = current
        }
    }

    /// Deletes the documents with this `_id`.
    /// - Parameters:
    ///   - collection: the collection's name.
    ///   - id: the `_id` to delete.
    public func delete(_ collection: String, id: Value) {
        lock.withLock { collections[collection]?.removeAll { $0["_id"] == id } }
    }

    /// The documents of a collection.
    /// - Parameter collection: the collection's name.
    public func documents(_ collection: String) -> [Document] {
        lock.withLock { collections[collection, default: []] }
    }

    /// See `Source.openReader(_:)`.
    public func openReader(_ request: ExtractRequest) throws -> any DocumentReader {
        MemoryReader(documents(request.stream.collection).filter(request.holds))
    }
}

/// Reads an array of documents.
final class MemoryReader: DocumentReader {
    private var iterator: IndexingIterator<[Document]>
    let estimatedCount: Int?

    init(_ documents: [Document]) {
        iterator = documents.makeIterator()
        estimatedCount = documents.count
    }

    func next() throws -> Document? { iterator.next() }
}

