import EnergizeCore
import Foundation

/// An in-memory fake ``ChangeSource``: collections you change by hand, each change kept in a log
/// the feeds read, and a history that can be lost (as an oplog that rolled over), so a test can
/// see what a follower does when it cannot resume.
///
/// A fake for tests: positions are the log's sequence numbers (8 bytes); a feed opened after a
/// position older than the kept history throws ``EnergizeError/Code/resumeImpossible``.
public final class MemoryChangeSource: ChangeSource, @unchecked Sendable {
    // @unchecked Sendable: `log` and `oldestKept` are only touched under `lock`; `source` is Sendable.
    private let lock = NSLock()
    private let source: MemorySource
    /// Every change, in order: its sequence number is its index + 1.
    private var log: [(collection: String, event: ChangeEvent)] = []
    /// Feeds may resume after this sequence number or a later one.
    private var oldestKept = 0

    /// A source over `documents`.
    /// - Parameter documents: documents by collection name (the snapshot of a start).
    public init(_ documents: [String: [Document]] = [:]) {
        source = MemorySource(documents)
    }

    /// See `ChangeSource.snapshots`: the collections as they are now.
    public var snapshots: any Source { source }

    /// The documents of a collection now.
    /// - Parameter collection: the collection's name.
    public func documents(_ collection: String) -> [Document] { source.documents(collection) }

    /// Inserts a document, or replaces the one with its `_id`, and logs the change.
    /// - Parameters:
    ///   - collection: the collection's name.
    ///   - document: the document, with its `_id`.
    public func write(_ collection: String, _ document: Document) {
        lock.withLock {
            let exists = source.documents(collection).contains { $0["_id"] == document["_id"] }
            source.upsert(collection, [document])
            append(collection, ChangeEvent(operation: exists ? .replace : .insert, key: document["_id"], document: document,
                                           resumeToken: Document(), clusterTime: Int64(Date().timeIntervalSince1970 * 1000)))
        }
    }

    /// Deletes the document with this `_id` and logs the change.
    /// - Parameters:
    ///   - collection: the collection's name.
    ///   - id: the document's `_id`.
    public func delete(_ collection: String, id: Value) {
        lock.withLock {
            source.delete(collection, id: id)
            append(collection, ChangeEvent(operation: .delete, key: id, document: nil, resumeToken: Document(),
                                           clusterTime: Int64(Date().timeIntervalSince1970 * 1000)))
        }
    }

    /// Drops the collection: its documents are gone and its feeds get a `drop` then an
    /// `invalidate` event, as MongoDB's change streams end.
    /// - Parameter collection: the collection's name.
    public func drop(_ collection: String) {
        lock.withLock {
            for document in source.documents(collection) { if let id = document["_id"] { source.delete(collection, id: id) } }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            append(collection, ChangeEvent(operation: .drop, key: nil, document: nil, resumeToken: Document(), clusterTime: now))
            append(collection, ChangeEvent(operation: .invalidate, key: nil, document: nil, resumeToken: Document(), clusterTime: now))
        }
    }

    /// Forgets every change logged so far: a feed can no longer resume from a position before now.
    public func loseHistory() {
        lock.withLock { oldestKept = log.count }
    }

    /// See `ChangeSource.openChanges(collection:after:)`.
    public func openChanges(collection: String, after position: Data?) throws -> any ChangeFeed {
        try lock.withLock {
            let start = position.map(Self.sequence) ?? log.count
            guard start >= oldestKept, start <= log.count else {
                throw EnergizeError(.resumeImpossible, "the change history before position \(oldestKept) is gone (asked for \(start))")
            }
            return Feed(source: self, collection: collection, next: start)
        }
    }

    private func append(_ collection: String, _ event: ChangeEvent) {
        var event = event
        event.resumeToken = ["seq": .int64(Int64(log.count + 1))]
        log.append((collection, event))
    }

    /// The changes after sequence number `after`, and the log's length.
    fileprivate func changes(after: Int) -> (events: [(collection: String, event: ChangeEvent)], end: Int) {
        lock.withLock { (Array(log.dropFirst(after)), log.count) }
    }

    static func position(_ sequence: Int) -> Data {
        withUnsafeBytes(of: Int64(sequence).bigEndian) { Data($0) }
    }

    static func sequence(_ position: Data) -> Int {
        Int(position.reduce(Int64(0)) { $0 << 8 | Int64($1) })
    }

    /// One feed: the log after a sequence number, one collection's events.
    private final class Feed: ChangeFeed {
        let source: MemoryChangeSource
        let collection: String
        var nextSequence: Int

        init(source: MemoryChangeSource, collection: String, next: Int) {
            self.source = source
            self.collection = collection
            nextSequence = next
        }

        func next() throws -> ChangeEvent? {
            let (events, _) = source.changes(after: nextSequence)
            for (offset, entry) in events.enumerated() where entry.collection == collection {
                nextSequence += offset + 1
                return entry.event
            }
            nextSequence += events.count
            return nil
        }

        var position: Data? { MemoryChangeSource.position(nextSequence) }

        func position(after event: ChangeEvent) -> Data {
            guard case .int64(let sequence)? = event.resumeToken["seq"] else { return MemoryChangeSource.position(nextSequence) }
            return MemoryChangeSource.position(Int(sequence))
        }
    }
}
