import EnergizeCore
import Foundation

/// What a process following a stream says of it, about once a second: what it has read from the
/// change stream and not yet committed, how far behind that is, and its recent pace.
public struct FollowerState: Sendable, Equatable {
    /// What a follower is doing.
    public enum Activity: String, Sendable {
        /// Finding where to resume.
        case starting
        /// Taking a snapshot (a full extract-load) before it follows.
        case snapshot
        /// Applying changes.
        case changes
        /// Waiting to try again after a failure.
        case retrying
    }

    /// What it is doing.
    public var activity: Activity
    /// Changes read and not yet committed (a lower bound of what the stream is behind: changes
    /// MongoDB has not handed over yet are not counted).
    public var changesPending: Int
    /// Seconds from the oldest uncommitted change to now; with none, how far behind its newest
    /// change the last batch committed.
    public var lagSeconds: Double
    /// Changes committed in the last 60 seconds.
    public var changesLastMinute: Int
    /// When the newest change read happened in MongoDB (ms since the epoch), if the server said.
    public var lastChangeTime: Int64?

    /// A follower's figures.
    /// - Parameters:
    ///   - activity: what it is doing.
    ///   - changesPending: changes read and not yet committed.
    ///   - lagSeconds: seconds from the oldest uncommitted change to now (with none, the last batch's).
    ///   - changesLastMinute: changes committed in the last 60 seconds.
    ///   - lastChangeTime: the newest change's time in MongoDB, ms since the epoch.
    public init(activity: Activity = .changes, changesPending: Int, lagSeconds: Double, changesLastMinute: Int, lastChangeTime: Int64?) {
        self.activity = activity
        self.changesPending = changesPending
        self.lagSeconds = lagSeconds
        self.changesLastMinute = changesLastMinute
        self.lastChangeTime = lastChangeTime
    }
}

/// Writes a followed stream's ``FollowerState`` to the meta schema's `followers` table on a
/// connection of its own, outside the micro-batches' transactions (`energize status` and
/// `serve` read it). Not thread-safe: one follower's thread owns it.
public final class FollowerReport {
    private let sink: PGSink
    private let pipeline: String
    private let stream: String
    private let startedAt = Date()
    private let host = ProcessInfo.processInfo.hostName
    private var connection: PGConnection?

    /// A report of one followed stream.
    /// - Parameters:
    ///   - sink: the warehouse.
    ///   - pipeline: the pipeline's name.
    ///   - stream: the followed stream's name.
    public init(sink: PGSink, pipeline: String, stream: String) {
        self.sink = sink
        self.pipeline = pipeline
        self.stream = stream
    }

    /// Records `state` as of now.
    /// - Parameters:
    ///   - state: what the follower holds.
    ///   - stopped: the follower is stopping: the row says so (status then shows it stopped).
    /// - Throws: `PGError` when the database cannot be written (the next call connects again).
    public func record(_ state: FollowerState, stopped: Bool = false) throws {
        do {
            let connection = try self.connection ?? PGConnection(sink.connectionString, applicationName: "energize \(pipeline) follow \(stream) status")
            self.connection = connection
            try connection.execute("""
                INSERT INTO \(sink.meta.followers) AS f (pipeline, stream, host, pid, started_at, seen_at, stopped_at, changes_pending,
                  lag_seconds, changes_last_minute, last_change_time, activity)
                VALUES ($1, $2, $3, $4, to_timestamp($5::double precision), clock_timestamp(), CASE WHEN $6 THEN clock_timestamp() END,
                  $7, $8, $9, to_timestamp($10::double precision / 1000), $11)
                ON CONFLICT (pipeline, stream) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
                  seen_at = excluded.seen_at, stopped_at = excluded.stopped_at, changes_pending = excluded.changes_pending,
                  lag_seconds = excluded.lag_seconds, changes_last_minute = excluded.changes_last_minute,
                  last_change_time = coalesce(excluded.last_change_time, f.last_change_time), activity = excluded.activity
                """, [pipeline, stream, host, String(ProcessInfo.processInfo.processIdentifier),
                      String(startedAt.timeIntervalSince1970), stopped ? "true" : "false", String(state.changesPending),
                      String(state.lagSeconds), String(state.changesLastMinute), state.lastChangeTime.map(String.init),
                      state.activity.rawValue])
        } catch {
            connection?.close()
            connection = nil
            throw error
        }
    }

    /// Closes the connection.
    public func close() {
        connection?.close()
        connection = nil
    }

    deinit {
        assert(connection == nil, "a FollowerReport was released without close()")
        connection?.close()
    }
}
