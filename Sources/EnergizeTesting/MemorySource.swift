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

    public init(_ collections: [String: [Document]] = [:]) {
        self.collections = collections
    }

    /// Replaces a collection's documents.
    public func set(_ collection: String, _ documents: [Document]) {
        lock.withLock { collections[collection] = documents }
    }

    /// Adds documents, or replaces those with the same `_id`.
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
    public func delete(_ collection: String, id: Value) {
        lock.withLock { collections[collection]?.removeAll { $0["_id"] == id } }
    }

    /// The documents of a collection.
    public func documents(_ collection: String) -> [Document] {
        lock.withLock { collections[collection, default: []] }
    }

    public func openReader(_ request: ExtractRequest) throws -> any DocumentReader {
        var documents = documents(request.stream.collection)
        if let floor = request.cursorFloor, let cursor = request.stream.strategy.cursorField {
            documents = documents.filter { document in
                guard let value = document[cursor] else { return false }
                return ValueOrder.compare(value, floor).map { $0 >= 0 } ?? false
            }
        }
        return MemoryReader(documents)
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

/// Orders cursor values as MongoDB and PostgreSQL would within one kind.
public enum ValueOrder {
    /// -1, 0 or 1; `nil` when the values are not comparable (different kinds, or not scalars).
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.date(let x), .date(let y)): return sign(x, y)
        case (.string(let x), .string(let y)): return sign(x, y)
        case (.objectId(let x), .objectId(let y)): return sign(x, y)
        default:
            guard let x = number(a), let y = number(b) else { return nil }
            return sign(x, y)
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int32(let n): Double(n)
        case .int64(let n): Double(n)
        case .double(let d): d
        case .decimal(let text): Double(text)
        default: nil
        }
    }
}
