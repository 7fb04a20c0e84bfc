import EnergizeCore
import Foundation

/// Where each followed stream resumes: `change_streams` holds, per pipeline and stream, the
/// change stream's resume token after the last committed micro-batch (written in that batch's
/// transaction), when its last change happened, and the changes applied so far.
extension MetaStore {
    var changeStreams: String { SQLIdentifier.qualified(schema, "change_streams") }
    var followers: String { SQLIdentifier.qualified(schema, "followers") }

    /// Statements that create `change_streams` when missing.
    var changeStreamStatements: [String] {
        ["""
         CREATE TABLE IF NOT EXISTS \(changeStreams) (
           pipeline text NOT NULL, stream text NOT NULL, resume_token bytea NOT NULL, token_time timestamptz,
           run_id bigint NOT NULL, changes_applied bigint NOT NULL DEFAULT 0, rows_written bigint NOT NULL DEFAULT 0,
           rows_deleted bigint NOT NULL DEFAULT 0, rows_rejected bigint NOT NULL DEFAULT 0,
           updated_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (pipeline, stream))
         """,
         // What a following process last said of each stream (`FollowerState`), about once a second.
         """
         CREATE TABLE IF NOT EXISTS \(followers) (
           pipeline text NOT NULL, stream text NOT NULL, host text NOT NULL, pid integer NOT NULL,
           started_at timestamptz NOT NULL, seen_at timestamptz NOT NULL, stopped_at timestamptz,
           changes_pending integer NOT NULL, lag_seconds double precision NOT NULL,
           changes_last_minute integer NOT NULL, last_change_time timestamptz, PRIMARY KEY (pipeline, stream))
         """,
         // What it is doing: starting, snapshot, changes, retrying.
         "ALTER TABLE \(followers) ADD COLUMN IF NOT EXISTS activity text"]
    }

    /// Records a committed micro-batch of changes, in its transaction: the position it ends at and
    /// what it did, added to the stream's totals.
    func recordChanges(_ connection: PGConnection, run: RunContext, stream: StreamConfig, progress: StreamProgress,
                       token: Data, outcome: LoadOutcome) throws {
        try connection.execute("""
            INSERT INTO \(changeStreams) AS c (pipeline, stream, resume_token, token_time, run_id, changes_applied, rows_written,
              rows_deleted, rows_rejected)
            VALUES ($1, $2, decode($3, 'hex'), to_timestamp($4::double precision / 1000), $5, $6, $7, $8, $9)
            ON CONFLICT (pipeline, stream) DO UPDATE SET resume_token = excluded.resume_token,
              token_time = coalesce(excluded.token_time, c.token_time), run_id = excluded.run_id,
              changes_applied = c.changes_applied + excluded.changes_applied, rows_written = c.rows_written + excluded.rows_written,
              rows_deleted = c.rows_deleted + excluded.rows_deleted, rows_rejected = c.rows_rejected + excluded.rows_rejected,
              updated_at = clock_timestamp()
            """, [run.pipeline, stream.name, token.map { String(format: "%02x", $0) }.joined(), progress.resumeTokenTime.map(String.init),
                  String(run.runId), String(progress.changesApplied), String(outcome.rowsLoaded), String(outcome.rowsDeleted),
                  String(progress.rowsRejected)])
    }

    /// The stream's resume token and its change's time (ms since the epoch); nil when it was never followed.
    func resumePoint(_ connection: PGConnection, pipeline: String, stream: String) throws -> (token: Data, time: Int64?)? {
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [changeStreams]).scalar == "t" else { return nil }
        guard let row = try connection.execute("""
            SELECT encode(resume_token, 'hex'), floor(extract(epoch FROM token_time) * 1000)::bigint FROM \(changeStreams)
            WHERE pipeline = $1 AND stream = $2
            """, [pipeline, stream]).rows.first, let hex = row[0] else { return nil }
        var bytes = Data(capacity: hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Self.nibble(high), let l = Self.nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return (bytes, row[1].flatMap { Int64($0) })
    }

    /// A new number from the run ids' sequence, for a micro-batch's rows: each batch of a followed
    /// stream stamps its rows above every run and batch before it, so models that rebuild what a
    /// run after their last one loaded (`_run_id > last_run_id`) see it.
    func nextStamp(_ connection: PGConnection) throws -> Int64 {
        guard let value = try connection.execute("SELECT nextval(pg_get_serial_sequence($1, 'run_id'))",
                                                 [SQLIdentifier.qualified(schema, "runs")]).scalar.flatMap({ Int64($0) }) else {
            throw PGError(.queryFailed, message: "the run ids' sequence gave no number")
        }
        return value
    }

    /// Forgets where the stream resumes (before a resync: it takes a new snapshot and a new token).
    func forgetResumePoint(_ connection: PGConnection, pipeline: String, stream: String) throws {
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [changeStreams]).scalar == "t" else { return }
        try connection.execute("DELETE FROM \(changeStreams) WHERE pipeline = $1 AND stream = $2", [pipeline, stream])
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
