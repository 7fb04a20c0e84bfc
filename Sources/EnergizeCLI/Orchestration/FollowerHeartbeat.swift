import EnergizeCore
import Foundation
import PGSink

/// What one follower tells monitors about once a second, from a thread of its own, so a long
/// commit or snapshot never makes it look gone: what it is doing, the changes it read and has not
/// committed, how far behind, its pace over the last minute. The follower's thread updates the
/// figures as it goes; ``finish()`` writes a last report that says the follower stopped.
final class FollowerHeartbeat: @unchecked Sendable {
    // @unchecked Sendable: every stored property but `report` is only touched under `condition`;
    // `report` only on the heartbeat's thread, and by `finish()` once that thread has ended.
    private let condition = NSCondition()
    private let report: FollowerReport
    private var activity = FollowerState.Activity.starting
    private var pending = 0
    private var oldestPending: Int64?
    private var newestChange: Int64?
    /// How far behind the last committed batch's newest change was when it committed.
    private var lastCommitLag = 0.0
    private var pace = FollowerPace()
    private var stopping = false
    private var running = false

    /// - Parameter report: where the reports go (the meta schema's `followers` table).
    init(report: FollowerReport) {
        self.report = report
    }

    /// Starts reporting every `interval` seconds until ``finish()``.
    /// - Parameter interval: seconds between two reports.
    func start(every interval: Double = 1) {
        condition.withLock { running = true }
        let thread = Thread { [self] in
            condition.lock()
            while !stopping {
                let state = current()
                condition.unlock()
                // Not being able to say how it goes never stops the stream: a database that cannot
                // be written fails the next micro-batch, which says why.
                try? report.record(state)
                condition.lock()
                if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            }
            running = false
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Says what the follower does now.
    /// - Parameter activity: taking a snapshot, following changes, waiting to retry.
    func set(_ activity: FollowerState.Activity) {
        condition.withLock {
            self.activity = activity
            if activity != .changes { pending = 0; oldestPending = nil }
        }
    }

    /// Counts a change read and not yet committed.
    /// - Parameters:
    ///   - pending: the changes read and not committed, this one included.
    ///   - oldest: when the oldest of them happened in MongoDB (ms since the epoch).
    ///   - newest: when this one happened.
    func gathered(pending: Int, oldest: Int64?, newest: Int64?) {
        condition.withLock {
            self.pending = pending
            oldestPending = oldest
            newestChange = newest ?? newestChange
        }
    }

    /// Counts a committed micro-batch.
    /// - Parameters:
    ///   - changes: the changes it applied.
    ///   - lastChange: when its newest change happened in MongoDB (ms since the epoch).
    func committed(changes: Int, lastChange: Int64?) {
        condition.withLock {
            pace.committed(changes)
            pending = 0
            oldestPending = nil
            lastCommitLag = lastChange.map { Self.secondsSince($0) } ?? lastCommitLag
        }
    }

    /// Stops the reports and writes the last one, which says the follower stopped. Blocks until
    /// the heartbeat's thread has ended.
    func finish() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        let state = current()
        condition.unlock()
        try? report.record(state, stopped: true)
        report.close()
    }

    /// The figures now (under `condition`).
    private func current() -> FollowerState {
        let lag = pending > 0 ? oldestPending.map { Self.secondsSince($0) } ?? 0 : lastCommitLag
        return FollowerState(activity: activity, changesPending: pending, lagSeconds: lag, changesLastMinute: pace.lastMinute(),
                             lastChangeTime: newestChange)
    }

    /// Seconds from a MongoDB time (ms since the epoch) to now; 0 for a time ahead of the clock.
    static func secondsSince(_ milliseconds: Int64) -> Double {
        max(0, Date().timeIntervalSince1970 - Double(milliseconds) / 1000)
    }
}

/// The changes a follower committed in the last minute.
struct FollowerPace {
    private var commits: [(at: ContinuousClock.Instant, changes: Int)] = []

    /// Counts a committed micro-batch.
    /// - Parameters:
    ///   - changes: how many changes it applied.
    ///   - instant: when it committed (default: now).
    mutating func committed(_ changes: Int, at instant: ContinuousClock.Instant = .now) {
        commits.append((instant, changes))
        commits.removeAll { $0.at.duration(to: instant) > .seconds(60) }
    }

    /// Changes committed in the 60 seconds before `instant`.
    /// - Parameter instant: the end of the minute (default: now).
    func lastMinute(at instant: ContinuousClock.Instant = .now) -> Int {
        commits.filter { $0.at.duration(to: instant) <= .seconds(60) }.reduce(0) { $0 + $1.changes }
    }
}
