import Foundation

/// Events appended from several threads, in the order they happened: what tests of concurrent
/// work compare with the order they expect.
public final class EventLog: @unchecked Sendable {
    // @unchecked Sendable: `list` is only touched under `lock`.
    private let lock = NSLock()
    private var list: [String] = []

    public init() {}

    /// Appends `event`.
    public func add(_ event: String) { lock.withLock { list.append(event) } }

    /// The events so far, in order.
    public var events: [String] { lock.withLock { list } }
}
