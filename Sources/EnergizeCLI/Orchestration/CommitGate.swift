import EnergizeCore
import Foundation

/// Orders a follow command's writes and its transforms' run ids. A micro-batch takes its stamp and
/// commits holding the gate shared; a snapshot (a whole extract-load) holds it as a snapshot; a
/// transform takes its run id holding it exclusively, which waits for both. So every write stamped
/// below a transform's run id committed before that transform read anything, and every later write
/// is stamped above it: the next transform's changed scopes (`_run_id > last_run_id`) see each
/// write exactly once. A transform first waits, beside the batches, for the snapshots under way to
/// end; only then does it keep new batches and snapshots out, for the few commits in progress.
final class CommitGate: @unchecked Sendable {
    // @unchecked Sendable: every stored property is only touched under `condition`.
    private let condition = NSCondition()
    private var sharing = 0
    private var exclusiveWaiting = false
    private var exclusiveHeld = false
    private var counts = Progress()
    private var streamsFollowing = Set<String>()

    /// What the followers have committed so far.
    struct Progress: Sendable, Equatable {
        /// Changes applied by micro-batches.
        var changesApplied = 0
        /// Snapshots finished (each one a full extract-load of a stream).
        var snapshotsTaken = 0
        /// Snapshots under way.
        var snapshotsRunning = 0
        /// Streams that have applied changes, or are ready to (past their first snapshot).
        var streamsFollowing = 0
        /// Transforms waiting to take their run id.
        var transformsWaiting = 0
    }

    /// Notes that a stream is past its first snapshot (or resumed) and follows its changes.
    /// - Parameter stream: the stream's name.
    func following(_ stream: String) {
        condition.withLock {
            streamsFollowing.insert(stream)
            counts.streamsFollowing = streamsFollowing.count
        }
    }

    /// Runs `body` (a batch's stamp and commit) beside other batches, never during an exclusive hold.
    /// - Parameter body: the batch; it returns how many changes it applied.
    func shared(_ body: () throws -> Int) rethrows {
        condition.lock()
        while exclusiveHeld || exclusiveWaiting { condition.wait() }
        sharing += 1
        condition.unlock()
        var applied = 0
        defer {
            condition.lock()
            sharing -= 1
            counts.changesApplied += applied
            condition.broadcast()
            condition.unlock()
        }
        applied = try body()
    }

    /// Runs `body` (a stream's snapshot and its first position) beside batches and other snapshots,
    /// never during an exclusive hold; a transform's exclusive hold waits for it to end.
    /// - Parameter body: the snapshot.
    /// - Returns: what `body` returns.
    func snapshot<T>(_ body: () async throws -> T) async rethrows -> T {
        // Waiting out an exclusive hold (one run id's allocation) blocks: off the cooperative pool.
        await onOwnThread { [self] in beginSnapshot() }
        defer { endSnapshot() }
        return try await body()
    }

    private func beginSnapshot() {
        condition.lock()
        while exclusiveHeld || exclusiveWaiting { condition.wait() }
        counts.snapshotsRunning += 1
        condition.unlock()
    }

    private func endSnapshot() {
        condition.lock()
        counts.snapshotsRunning -= 1
        counts.snapshotsTaken += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` (a transform's run id) once no batch is between its stamp and its commit and no
    /// snapshot is loading.
    /// - Parameter body: the allocation.
    /// - Returns: what `body` returns.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        counts.transformsWaiting += 1
        // Snapshots first, while batches go on; then the batches in progress, none new.
        while exclusiveHeld || exclusiveWaiting || counts.snapshotsRunning > 0 { condition.wait() }
        counts.transformsWaiting -= 1
        exclusiveWaiting = true
        while sharing > 0 { condition.wait() }
        exclusiveWaiting = false
        exclusiveHeld = true
        condition.unlock()
        defer {
            condition.lock()
            exclusiveHeld = false
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// What the followers have committed so far.
    var progress: Progress {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }
}
