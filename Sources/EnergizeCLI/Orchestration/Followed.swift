import EnergizeCore
import Foundation
import PGSink

/// A stream `energize follow` applies changes to: where its committed position is, and — from
/// what the following process last said — whether it is followed now, how far behind, how fast.
struct Followed: Codable {
    var stream: String
    /// While its process speaks (it did in the last 10 seconds): `following` (applying changes),
    /// `snapshot` (taking one), `retrying` (waiting to try again after a failure) or `starting`.
    /// Else `stopped` (it stopped and said so), `unresponsive` (it has not spoken for longer:
    /// killed, or cut off from PostgreSQL), or `unknown` (no process has spoken of it).
    var state: String
    /// The host and process id of the process that last followed it.
    var process: String?
    /// When that process last spoke (ISO 8601, UTC).
    var seenAt: String?
    /// Seconds from its oldest change read and not yet committed to when it last spoke; with none
    /// waiting, how far behind its newest change the last batch committed. Only while it speaks.
    var lagSeconds: Double?
    /// Changes read and not yet committed when it last spoke (what MongoDB has not handed over is
    /// not counted); only while it speaks.
    var changesBehind: Int?
    /// Changes committed in the minute before it last spoke; only while it speaks.
    var changesPerMinute: Int?
    /// When the last applied change happened in MongoDB (ISO 8601, UTC), if the server said.
    var lastChangeAt: String?
    /// When its last micro-batch committed (ISO 8601, UTC).
    var committedAt: String
    /// Seconds from the last applied change to that commit (how far behind the batch was).
    var secondsBehindAtCommit: Double?
    var changesApplied: Int
    var rowsWritten: Int
    var rowsDeleted: Int
    var rowsRejected: Int

    /// The state of a stream whose process stopped speaking without saying it stopped.
    static let unresponsive = "unresponsive"
    /// The states of a stream whose process speaks.
    static let live: Set<String> = ["following", "snapshot", "retrying", "starting"]

    /// Whether its process speaks.
    var isLive: Bool { Self.live.contains(state) }

    /// The followed streams of `pipeline`, by name; none when nothing was ever followed.
    /// - Parameters:
    ///   - connection: the warehouse.
    ///   - metaSchema: the pipeline's meta schema.
    ///   - pipeline: the pipeline's name.
    /// - Throws: `PGError` when the meta tables cannot be read.
    static func read(_ connection: PGConnection, metaSchema: String, pipeline: String) throws -> [Followed] {
        let meta = { (table: String) in SQLIdentifier.qualified(metaSchema, table) }
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [meta("change_streams")]).scalar == "t" else { return [] }
        let hasFollowers = try connection.execute("SELECT to_regclass($1) IS NOT NULL", [meta("followers")]).scalar == "t"
        // A meta schema from before the followers table reads as no process having spoken.
        let followers = hasFollowers ? meta("followers")
            : "(SELECT NULL::text pipeline, NULL::text stream, NULL::text host, NULL::integer pid, NULL::timestamptz seen_at, "
            + "NULL::timestamptz stopped_at, NULL::integer changes_pending, NULL::float8 lag_seconds, NULL::integer changes_last_minute, "
            + "NULL::text activity WHERE false)"
        return try connection.execute("""
            SELECT c.stream, CASE WHEN f.seen_at IS NULL THEN 'unknown' WHEN f.stopped_at IS NOT NULL THEN 'stopped'
                                  WHEN f.seen_at > clock_timestamp() - interval '10 seconds'
                                    THEN CASE coalesce(f.activity, 'changes') WHEN 'changes' THEN 'following' ELSE f.activity END
                                  ELSE 'unresponsive' END,
              f.host || ' pid ' || f.pid, \(MachineOutput.utcSQL("f.seen_at")),
              f.lag_seconds, f.changes_pending, f.changes_last_minute,
              \(MachineOutput.utcSQL("c.token_time")), \(MachineOutput.utcSQL("c.updated_at")),
              extract(epoch FROM c.updated_at - c.token_time)::float8, c.changes_applied, c.rows_written, c.rows_deleted, c.rows_rejected
            FROM \(meta("change_streams")) c LEFT JOIN \(followers) f ON f.pipeline = c.pipeline AND f.stream = c.stream
            WHERE c.pipeline = $1 ORDER BY c.stream
            """, [pipeline]).rows.map { f in
            let live = Self.live.contains(f[1] ?? "")
            return Followed(stream: f[0] ?? "", state: f[1] ?? "unknown", process: f[2], seenAt: f[3],
                            lagSeconds: live ? f[4].flatMap(Double.init) : nil, changesBehind: live ? f[5].flatMap { Int($0) } : nil,
                            changesPerMinute: live ? f[6].flatMap { Int($0) } : nil, lastChangeAt: f[7], committedAt: f[8] ?? "",
                            secondsBehindAtCommit: f[9].flatMap(Double.init), changesApplied: Int(f[10] ?? "0") ?? 0,
                            rowsWritten: Int(f[11] ?? "0") ?? 0, rowsDeleted: Int(f[12] ?? "0") ?? 0, rowsRejected: Int(f[13] ?? "0") ?? 0)
        }
    }

    /// The human form: a row per stream.
    /// - Parameter followed: the streams.
    /// - Returns: the table's text.
    static func table(_ followed: [Followed]) -> String {
        Table.render(header: ["stream", "state", "lag", "behind", "per minute", "last change (UTC)", "committed (UTC)", "changes", "rows written",
                              "rows deleted", "rejected"],
                     rows: followed.map { f in
                         [f.stream, f.isLive ? f.state : f.seenAt.map { "\(f.state) (seen \(MachineOutput.readable($0)) UTC)" } ?? f.state,
                          f.lagSeconds.map { String(format: "%.1f s", $0) } ?? "-", f.changesBehind.map { "\($0) changes" } ?? "-",
                          f.changesPerMinute.map(String.init) ?? "-", f.lastChangeAt.map(MachineOutput.readable) ?? "-",
                          MachineOutput.readable(f.committedAt),
                          String(f.changesApplied), String(f.rowsWritten), String(f.rowsDeleted), String(f.rowsRejected)]
                     })
    }
}
