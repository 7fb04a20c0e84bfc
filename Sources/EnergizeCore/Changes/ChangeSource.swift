import Foundation

/// Where a followed stream's changes come from: MongoDB's change streams, or a fake.
public protocol ChangeSource: Sendable {
    /// The source a stream's snapshot (its full extract-load) reads.
    var snapshots: any Source { get }

    /// Opens the changes of a collection after a position.
    ///
    /// Called on the thread that reads the feed; the feed is used on that thread only.
    /// - Parameters:
    ///   - collection: the collection.
    ///   - position: where an earlier feed said to resume (``ChangeFeed/position``); nil: from now.
    /// - Returns: the feed.
    /// - Throws: `EnergizeError` with code ``EnergizeError/Code/resumeImpossible`` when the source
    ///   cannot continue after `position`; other errors say whether retrying can help.
    func openChanges(collection: String, after position: Data?) throws -> any ChangeFeed
}

/// One open feed of a collection's changes. Not `Sendable`: used on the thread that opened it.
public protocol ChangeFeed: AnyObject {
    /// The next change, or nil when none is waiting now.
    /// - Throws: as ``ChangeSource/openChanges(collection:after:)``.
    func next() throws -> ChangeEvent?
    /// Where a new feed resumes to continue after what this one returned, or after the point the
    /// source has read up to; nil before the source said.
    var position: Data? { get }
    /// Where a new feed resumes to continue right after `event`.
    /// - Parameter event: an event this feed returned.
    func position(after event: ChangeEvent) -> Data
}
