@testable import EnergizeCLI
import EnergizeCore
import EnergizeTesting
import Foundation
import Testing

/// When `energize follow` builds the models, and the gate that keeps a transform's changed scopes
/// exact while micro-batches and snapshots commit beside it.
@Suite struct TransformWhileFollowingTests {
    func progress(changes: Int, snapshots: Int = 0) -> CommitGate.Progress {
        CommitGate.Progress(changesApplied: changes, snapshotsTaken: snapshots, snapshotsRunning: 0)
    }

    @Test func modelsAreDueAtStartAfterASnapshotAfterEnoughChangesOrOnTheClock() {
        var settings = FollowSettings()
        settings.transformChanges = 100
        settings.transformSeconds = 60
        let justNow = ContinuousClock.now
        let longAgo = justNow - .seconds(61)
        #expect(FollowExecution.transformDue(progress(changes: 0), since: nil, at: justNow, settings))
        #expect(!FollowExecution.transformDue(progress(changes: 50), since: progress(changes: 0), at: justNow, settings))
        #expect(FollowExecution.transformDue(progress(changes: 100), since: progress(changes: 0), at: justNow, settings))
        #expect(FollowExecution.transformDue(progress(changes: 1), since: progress(changes: 0), at: longAgo, settings))
        #expect(!FollowExecution.transformDue(progress(changes: 7), since: progress(changes: 7), at: longAgo, settings), "nothing new")
        #expect(FollowExecution.transformDue(progress(changes: 7, snapshots: 1), since: progress(changes: 7), at: justNow, settings))
        settings.transformSeconds = nil
        #expect(!FollowExecution.transformDue(progress(changes: 99), since: progress(changes: 0), at: longAgo, settings), "by count only")
    }

    @Test func aTransformsRunIdWaitsForTheBatchBetweenItsStampAndItsCommit() async throws {
        let gate = CommitGate()
        let order = EventLog()
        let inBatch = DispatchSemaphore(value: 0)
        let batch = Thread {
            gate.shared {
                inBatch.signal()
                Thread.sleep(forTimeInterval: 0.3)
                order.add("batch committed")
                return 3
            }
        }
        batch.start()
        inBatch.wait()
        gate.exclusive { order.add("transform's run id") }
        #expect(order.events == ["batch committed", "transform's run id"])
        #expect(gate.progress.changesApplied == 3)
    }

    /// Starts a snapshot through `gate` that lasts until `ends` says so, then logs its commit in
    /// `order`; returns once the snapshot has begun.
    func snapshot(_ gate: CommitGate, _ order: EventLog, until ends: @escaping @Sendable () -> Bool) async -> Task<Void, Never> {
        let (started, snapshotStarted) = AsyncStream.makeStream(of: Void.self)
        let snapshot = Task {
            await gate.snapshot {
                snapshotStarted.yield()
                for _ in 0..<400 where !ends() { try? await Task.sleep(nanoseconds: 50_000_000) }
                order.add("snapshot committed")
            }
        }
        for await _ in started { break }
        return snapshot
    }

    @Test func aTransformsRunIdWaitsForASnapshot() async throws {
        let gate = CommitGate()
        let order = EventLog()
        // The snapshot lasts until the transform waits for its run id.
        let snapshot = await snapshot(gate, order) { gate.progress.transformsWaiting > 0 }
        #expect(gate.progress.snapshotsRunning == 1)
        await onOwnThread { gate.exclusive { order.add("transform's run id") } }
        await snapshot.value
        #expect(order.events == ["snapshot committed", "transform's run id"])
        #expect(gate.progress == CommitGate.Progress(changesApplied: 0, snapshotsTaken: 1, snapshotsRunning: 0))
    }

    /// A transform waiting for a long snapshot does not hold the other streams' batches back: the
    /// snapshot here ends only once a batch has committed (or after 20 s, when the batch is held
    /// back behind the transform — the order then says so).
    @Test func batchesGoOnWhileATransformWaitsForASnapshot() async throws {
        let gate = CommitGate()
        let order = EventLog()
        let snapshot = await snapshot(gate, order) { order.events.contains("batch committed") }
        let transform = Task.detached { await onOwnThread { gate.exclusive { order.add("transform's run id") } } }
        for _ in 0..<400 where gate.progress.transformsWaiting == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(gate.progress.transformsWaiting == 1)
        await onOwnThread { gate.shared { order.add("batch committed"); return 1 } }
        await snapshot.value
        await transform.value
        #expect(order.events == ["batch committed", "snapshot committed", "transform's run id"])
    }
}
