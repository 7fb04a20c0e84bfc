import Foundation

/// A blocking first-in first-out queue of bounded depth between two threads.
///
/// The producer blocks when the queue is full (back-pressure, flat memory); the consumer
/// blocks when it is empty. Either side can end it: the producer with `finish(error:)`,
/// the consumer with `cancel()`, after which `put` throws.
package final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: every stored property is read and written under `condition`.
    private let condition = NSCondition()
    private var items: [Element] = []
    private let depth: Int
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    /// - Parameter depth: how many elements may wait before `put` blocks.
    package init(depth: Int) {
        self.depth = max(1, depth)
    }

    /// Adds an element, waiting while the queue is full.
    /// - Throws: `EnergizeError.Code.cancelled` once the consumer cancelled.
    package func put(_ element: Element) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { throw EnergizeError(.cancelled, "the load side stopped") }
        items.append(element)
        condition.broadcast()
    }

    /// Ends the stream of elements, with the producer's error if it failed.
    package func finish(error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer: its next `put` throws.
    package func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, waiting while the queue is empty; `nil` once finished and drained.
    /// - Throws: the producer's error.
    package func take() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        if !items.isEmpty {
            let element = items.removeFirst()
            condition.broadcast()
            return element
        }
        if let failure { throw failure }
        return nil
    }
}
