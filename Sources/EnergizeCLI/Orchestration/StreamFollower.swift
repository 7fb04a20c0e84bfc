import EnergizeCore
import Foundation
import PGSink

/// Follows one stream's change stream into its raw table until stopped: from the resume token
/// its last micro-batch committed, or — the first time, and after a history MongoDB no longer
/// has — from a token taken before a full extract-load (the snapshot), so no change between the
/// two is missed (one seen by both is applied again, to the same end).
struct StreamFollower: Sendable {
    let config: EnergizeConfig
    let stream: StreamConfig
    /// Where the changes and the snapshots come from.
    let changes: any ChangeSource
    let sink: PGSink
    /// The follow command's run: its history row; each micro-batch writes as a run of its own number.
    let followRun: RunContext
    /// A micro-batch commits once it holds this many changes…
    let batchChanges: Int
    /// …or this many seconds after its first change.
    let batchSeconds: Double
    let stop: StopRequest
    /// Prints a line of what the follower did.
    let say: @Sendable (String) -> Void
    /// Held around each batch's stamp and commit and around each snapshot, for the transforms that
    /// run beside the followers (a follower alone may keep its own).
    var gate = CommitGate()

    /// Where a follower starts: the position it resumes after, whether a snapshot comes first, and
    /// the changes the probe for a new position already gave.
    typealias Start = (position: Data, needsSnapshot: Bool, pending: [ChangeEvent])

    /// Why the stream must be taken again from a snapshot.
    struct ResyncNeeded: Error, CustomStringConvertible {
        let description: String
    }

    /// Follows until a stop is requested; returns nil then, or the error that ended the stream
    /// (a terminal one, or a transient one retried as the configuration allows).
    func run() async -> String? {
        // What `status` and `serve` show of this stream while it is followed.
        let heartbeat = FollowerHeartbeat(report: FollowerReport(sink: sink, pipeline: config.pipeline, stream: stream.name))
        heartbeat.start()
        let failure = await run(telling: heartbeat)
        await onOwnThread { heartbeat.finish() }
        return failure
    }

    private func run(telling heartbeat: FollowerHeartbeat) async -> String? {
        var failures = 0
        while !stop.isRequested {
            do {
                try await follow(telling: heartbeat)
                return nil
            } catch let error as ResyncNeeded {
                say("stream \(stream.name): \(error): resyncing it from a new snapshot (a full extract-load)")
                try? sink.forgetResumePoint(pipeline: config.pipeline, stream: stream.name)
            } catch let error as EnergizeError where error.code == .resumeImpossible {
                say("stream \(stream.name): its changes cannot resume from the committed position (\(error)): resyncing it from a new snapshot (a full extract-load)")
                try? sink.forgetResumePoint(pipeline: config.pipeline, stream: stream.name)
            } catch {
                let transient = (error as? any RetryClassifying)?.retryability == .transient
                failures += 1
                guard transient, failures <= config.retry.retries else { return "stream \(stream.name): \(error)" }
                let delay = config.retry.delay(beforeRetry: failures)
                heartbeat.set(.retrying)
                say(String(format: "stream %@: %@; resuming from the committed token in %.0f s", stream.name, "\(error)", delay))
                for _ in 0..<Int(delay * 10) where !stop.isRequested { try? await Task.sleep(nanoseconds: 100_000_000) }
            }
        }
        return nil
    }

    /// Takes the position (or a snapshot and a position), then applies changes until stopped.
    private func follow(telling heartbeat: FollowerHeartbeat) async throws {
        let start = try await onOwnThread { [self] in try position() }
        if start.needsSnapshot {
            heartbeat.set(.snapshot)
            say("stream \(stream.name): no committed position: taking a snapshot (a full extract-load), then following from before it")
            try await gate.snapshot { try await snapshot(from: start) }
        }
        heartbeat.set(.changes)
        gate.following(stream.name)
        try await onOwnThread { [self] in try applyChanges(after: start.position, telling: heartbeat) }
    }

    /// Takes the stream's snapshot, then commits the position taken before it with the changes the
    /// probe saw meanwhile. The snapshot is a replace load whatever the stream's strategy: it reads
    /// the whole collection and makes the table (and the stream's rejects) exactly what the
    /// collection holds, so documents deleted while no position could be followed are gone too.
    private func snapshot(from start: Start) async throws {
        var whole = stream
        whole.strategy = .replace
        let report = try await Pipeline(name: config.pipeline, source: changes.snapshots, sink: sink, streams: [whole],
                                        settings: config.settings).run(stop: stop)
        guard let snapshot = report.streams.first, snapshot.status == .succeeded else {
            throw EnergizeError(.streamFailed, "the snapshot of stream \(stream.name) did not succeed: \(report.streams.first?.error ?? "stopped")")
        }
        _ = try await onOwnThread { [self] in
            // The position commits after the snapshot (with what the probe saw meanwhile): a
            // stop in between takes the snapshot again next time, to the same end.
            try ChangeApplier(stream: stream, sink: sink, settings: config.settings)
                .apply(start.pending, resumeToken: start.position, run: try sink.batchRun(of: followRun))
        }
    }

    /// Where to resume: the committed position, or — with none — a position taken now, before the
    /// snapshot, and the changes the feed already gave after it.
    private func position() throws -> Start {
        if let point = try sink.resumePoint(pipeline: config.pipeline, stream: stream.name) {
            return (point.token, false, [])
        }
        let probe = try changes.openChanges(collection: stream.collection, after: nil)
        var pending: [ChangeEvent] = []
        if probe.position == nil, let event = try probe.next() { pending.append(event) }
        guard let position = pending.last.map(probe.position(after:)) ?? probe.position else {
            throw EnergizeError(.sourceFailed, "the change source gave no position for \(config.sourceDatabase).\(stream.collection): it cannot be followed")
        }
        return (position, true, pending.filter(\.changesDocument))
    }

    /// Applies changes after `position` in micro-batches until a stop is requested (the batch being
    /// gathered then commits first).
    /// - Parameters:
    ///   - position: where the changes resume.
    ///   - heartbeat: told of every change read and every batch committed.
    private func applyChanges(after position: Data, telling heartbeat: FollowerHeartbeat) throws {
        let feed = try changes.openChanges(collection: stream.collection, after: position)
        let applier = ChangeApplier(stream: stream, sink: sink, settings: config.settings)
        var batch: [ChangeEvent] = []
        var firstAt: ContinuousClock.Instant?
        func commit() throws {
            guard let last = batch.last else { return }
            var applied: ChangeApplier.BatchReport?
            let apply = {
                applied = try applier.apply(batch, resumeToken: feed.position(after: last), run: try sink.batchRun(of: followRun))
                return batch.count
            }
            try gate.shared(apply)
            guard let report = applied else { return }
            heartbeat.committed(changes: batch.count, lastChange: batch.compactMap(\.clusterTime).max())
            let lag = last.clusterTime.map { String(format: ", %.1f s behind", FollowerHeartbeat.secondsSince($0)) } ?? ""
            say("stream \(stream.name): \(report.events) changes applied: \(report.written) documents written, \(report.deleted) deleted, \(report.rejected) rejected\(lag)")
            batch = []
            firstAt = nil
        }
        while !stop.isRequested {
            if let event = try feed.next() {
                guard event.changesDocument else {
                    try commit()
                    throw ResyncNeeded(description: "its change stream ended (\(event.operation.rawValue): the collection was dropped or renamed)")
                }
                batch.append(event)
                heartbeat.gathered(pending: batch.count, oldest: batch.first?.clusterTime, newest: event.clusterTime)
                firstAt = firstAt ?? .now
            } else {
                // A server may answer at once when nothing changed: do not spin.
                Thread.sleep(forTimeInterval: 0.05)
            }
            if batch.count >= batchChanges || firstAt.map({ $0.duration(to: .now) >= .seconds(batchSeconds) }) == true {
                try commit()
            }
        }
        try commit()
    }
}
