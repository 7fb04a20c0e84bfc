import EnergizeCore
@testable import EnergizeCLI
import EnergizeTesting
import Foundation
import PGSink
import Testing

/// A followed stream whose change history is lost while it is stopped (an oplog that rolled
/// over): the follower says so, forgets its position, takes a new snapshot and follows on — the
/// table ends equal to the collection, with no gap. Uses the in-memory change source (the local
/// wire-protocol server accepts any resume token) and the real PostgreSQL.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct FollowResyncTests {
    /// What a follower printed.
    final class Lines: @unchecked Sendable {
        // @unchecked Sendable: `lines` is only touched under `lock`.
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    static func thing(_ n: Int, version: Int = 0) -> Document {
        ["_id": .int32(Int32(n)), "n": .int32(Int32(n)), "version": .int32(Int32(version))]
    }

    /// Whatever the stream's strategy, a snapshot makes the table the collection (a merge stream's
    /// load alone would keep the rows of documents deleted in the gap); a dropped collection ends
    /// the stream and is resynced too.
    @Test(arguments: [LoadStrategy.replace, .merge(key: "n")])
    func aLostHistoryIsSaidAndResyncedWithoutAGap(strategy: LoadStrategy) async throws {
        let connection = try LiveServers.freshSchemas(["it_fr_raw", "it_fr_meta"])
        defer { connection.close() }
        let source = MemoryChangeSource(["things": (1...10).map { Self.thing($0) }])
        var config = EnergizeConfig(pipeline: "it_fr")
        config.schemaOverrides = ["raw": "it_fr_raw", "meta": "it_fr_meta"]
        config.streams = [StreamConfig("things", strategy: strategy)]
        config.retry = RetryPolicy(retries: 1, initialDelay: 0.1, maxDelay: 0.2, jitter: 0)
        let sink = config.sink(pgURI: try LiveServers.pgURI())
        let followRun = try sink.beginRun(pipeline: config.pipeline, streams: config.streams)
        let lines = Lines()
        func follower(_ stop: StopRequest) -> StreamFollower {
            StreamFollower(config: config, stream: config.streams[0], changes: source, sink: sink, followRun: followRun,
                           batchChanges: 3, batchSeconds: 0.2, stop: stop, say: { lines.append($0) })
        }
        /// The table as `_id:version` lines, and the collection the same way.
        func table() throws -> [String] {
            guard try connection.execute("SELECT to_regclass('it_fr_raw.things') IS NOT NULL").scalar == "t" else { return [] }
            return try connection.execute("SELECT _id::text || ':' || version::text FROM it_fr_raw.things ORDER BY _id").rows.compactMap { $0[0] }
        }
        func collection() -> [String] {
            source.documents("things").compactMap { document -> (Int32, String)? in
                guard case .int32(let id)? = document["_id"], case .int32(let version)? = document["version"] else { return nil }
                return (id, "\(id):\(version)")
            }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        func caughtUp() async throws -> Bool {
            for _ in 0..<300 {
                if try table() == collection() { return true }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            return false
        }

        // A first start: the snapshot, then the changes after it.
        let first = StopRequest()
        let firstFollower = follower(first)
        let firstRun = Task { await firstFollower.run() }
        #expect(try await caughtUp(), "the snapshot: \((try? table()) ?? [])")
        source.write("things", Self.thing(11))
        source.delete("things", id: .int32(2))
        source.write("things", Self.thing(3, version: 1))
        #expect(try await caughtUp(), "the first changes: \((try? table()) ?? [])")
        first.request()
        #expect(await firstRun.value == nil)

        // While it is stopped: more changes, then the history they are in is lost.
        source.write("things", Self.thing(12))
        source.delete("things", id: .int32(4))
        source.write("things", Self.thing(5, version: 2))
        source.loseHistory()
        let second = StopRequest()
        let secondFollower = follower(second)
        let secondRun = Task { await secondFollower.run() }
        #expect(try await caughtUp(), "after the resync: \((try? table()) ?? []) against \(collection())")
        source.write("things", Self.thing(13))
        source.delete("things", id: .int32(6))
        #expect(try await caughtUp(), "changes after the resync: \((try? table()) ?? [])")
        // The collection dropped, then written again: the stream ends, and is taken again.
        source.drop("things")
        source.write("things", Self.thing(20))
        #expect(try await caughtUp(), "after the drop: \((try? table()) ?? []) against \(collection())")
        second.request()
        #expect(await secondRun.value == nil)

        let said = lines.all
        #expect(said.contains { $0.contains("cannot resume from the committed position") && $0.contains("resyncing") }, "\(said)")
        #expect(said.contains { $0.contains("its change stream ended (drop") && $0.contains("resyncing") }, "\(said)")
        #expect(said.filter { $0.contains("taking a snapshot") }.count == 3, "\(said)")
        #expect(try connection.execute("SELECT count(*) FROM it_fr_raw.things").scalar == String(collection().count))
    }
}
