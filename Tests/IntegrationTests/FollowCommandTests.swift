import EnergizeCore
import Foundation
import MongoSource
import PGSink
import Testing

/// `energize follow` on the real servers: a first start takes a snapshot and follows from before
/// it; SIGTERM commits and exits 6; a restart resumes from the committed token without a new
/// snapshot; `kill -9` at random points while changes stream in loses and duplicates nothing.
/// Each time the raw table and `_rejects` end equal to a batch load of the collection as it ends.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct FollowCommandTests {
    static let database = "it_follow_cmd"

    /// A project following `orders` as `pipeline` (its schemas named after it), with a model counting them when `model` is set.
    /// - Parameter settings: more lines for energize.yml.
    func project(_ pipeline: String, model: Bool = false, settings: String = "") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-follow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            pipeline: \(pipeline)
            source: {database: \(Self.database)}
            streams:
              - name: orders
                strategy: incremental
                key: order_id
                cursor: updated_at
                lookback: 7d
                contract: {fields: {order_id: string, amount: number, updated_at: date}}
            transform: {enabled: \(model)}
            retries: {attempts: 2, initial_delay: 1s, max_delay: 2s}
            lock: {wait: 30s}
            \(settings)
            """.write(to: folder.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        if model {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("models"), withIntermediateDirectories: true)
            try """
                -- energize: materialized=table
                -- How many orders the raw table holds.
                SELECT count(*) AS orders FROM {{ raw('orders') }}
                """.write(to: folder.appendingPathComponent("models/order_count.sql"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func order(_ n: Int, amount: Value, version: Int64 = 0) -> Document {
        ["_id": .objectId(String(format: "65e1f0000000000000%06x", n)), "order_id": .string("O\(n)"), "amount": amount,
         "note": .string(version == 0 ? "first" : "version \(version)"), "updated_at": .date(1_767_225_600_000 + Int64(n) * 60_000 + version)]
    }

    /// The table's rows without `_loaded_at` and `_run_id`, and its current rejects, as one text.
    func contents(_ connection: PGConnection, _ pipeline: String) throws -> String {
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", ["\(pipeline)_raw.orders"]).scalar == "t" else { return "" }
        let rows = try connection.execute("""
            SELECT count(*) || ' rows|' || coalesce(string_agg(r::text, '|' ORDER BY r::text), '') FROM
              (SELECT to_jsonb(t) - '_loaded_at' - '_run_id' AS r FROM \(pipeline)_raw.orders t) x
            """).scalar ?? ""
        let rejects = try connection.execute("""
            SELECT coalesce(string_agg(document_id || ': ' || reason, '|' ORDER BY document_id), '') FROM \(pipeline)_raw._rejects
            """).scalar ?? ""
        return rows + "\n" + rejects
    }

    /// What each test starts from: the `orders` collection holding only `documents`, the pipeline
    /// `it_fc`'s schemas dropped, and its project (see `project(_:model:settings:)`). The client
    /// is returned to keep its collection handle alive.
    func start(with documents: [Document], model: Bool = false, settings: String = "") throws
        -> (client: MongoClient, orders: MongoCollection, connection: PGConnection, folder: URL) {
        let client = try LiveServers.freshCollections(Self.database, ["orders"])
        let orders = client.collection("orders", in: Self.database)
        try orders.insertMany(documents)
        let connection = try LiveServers.freshSchemas(["it_fc_raw", "it_fc_staging", "it_fc_warehouse", "it_fc_meta"])
        do {
            return (client, orders, connection, try project("it_fc", model: model, settings: settings))
        } catch {
            connection.close()
            throw error
        }
    }

    /// The first followed stream of `status --json` in the project at `folder`.
    func followed(in folder: URL) throws -> [String: Any]? {
        guard let json = try EnergizeBinary.json(["status", "--json"], in: folder) as? [String: Any] else {
            Issue.record("status --json printed JSON that is not an object")
            return nil
        }
        return (json["followed"] as? [[String: Any]])?.first
    }

    /// Polls until `body` is true, for up to `seconds`.
    func eventually(_ seconds: Double = 60, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try body() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// What a batch load of the collection as it is now leaves, in a pipeline of its own.
    func batchLoad(_ connection: PGConnection) throws -> String {
        let folder = try project("it_fc_batch")
        defer { try? FileManager.default.removeItem(at: folder) }
        for schema in ["raw", "staging", "warehouse", "meta"] { try connection.execute("DROP SCHEMA IF EXISTS it_fc_batch_\(schema) CASCADE") }
        let loaded = try EnergizeBinary.run(["run", "--quiet"], in: folder)
        #expect(loaded.status == 0, "\(loaded.output)")
        return try contents(connection, "it_fc_batch")
    }

    @Test func aSnapshotThenChangesThenARestartFromTheCommittedToken() throws {
        let (client, orders, connection, folder) = try start(with: (1...20).map { Self.order($0, amount: $0 == 5 ? .string("five") : .int32(Int32($0))) })
        defer { withExtendedLifetime(client) { connection.close() }; try? FileManager.default.removeItem(at: folder) }
        let applied = { () throws -> Int in
            guard try connection.execute("SELECT to_regclass('it_fc_meta.change_streams') IS NOT NULL").scalar == "t" else { return -1 }
            return Int(try connection.execute("SELECT coalesce(sum(changes_applied), -1) FROM it_fc_meta.change_streams").scalar ?? "-1") ?? -1
        }

        let first = try EnergizeBinary.start(["follow", "--batch-interval", "1s"], in: folder)
        #expect(try eventually { try applied() >= 0 }, "no position committed after the snapshot")
        #expect(try connection.execute("SELECT count(*) FROM it_fc_raw.orders").scalar == "19", "the snapshot: 20 documents, one rejected")
        for n in 21...30 { try orders.insertMany([Self.order(n, amount: .double(Double(n) + 0.5))]) }
        for n in [2, 5, 22] { try orders.replaceOne(["_id": Self.order(n, amount: .null)["_id"]!], with: Self.order(n, amount: .int64(Int64(n) * 100), version: 1)) }
        for n in [3, 23] { try orders.deleteMany(["_id": Self.order(n, amount: .null)["_id"]!]) }
        #expect(try eventually { try applied() >= 15 }, "changes applied: \((try? applied()) ?? -1)")
        // While it follows, status says so, with the pace of the last minute.
        #expect(try eventually { try followed(in: folder)?["changes_per_minute"] as? Int == (try applied()) })
        let live = try followed(in: folder)
        #expect(live?["state"] as? String == "following" && (live?["lag_seconds"] as? Double).map { $0 >= 0 } == true
                && live?["changes_behind"] as? Int == 0, "\(live ?? [:])")
        first.send(SIGTERM)
        let (status, output) = first.wait()
        #expect(status == 6, "\(output)")
        #expect(output.contains("taking a snapshot") && output.contains("stopped on request"), "\(output)")
        #expect(try contents(connection, "it_fc") == (try batchLoad(connection)))
        let shown = try EnergizeBinary.run(["status"], in: folder)
        #expect(shown.output.contains("followed streams (energize follow):") && shown.output.contains("stopped (seen "), "\(shown.output)")
        #expect(try followed(in: folder)?["changes_per_minute"] == nil, "a stopped stream has no pace")

        // Changes while stopped arrive after a restart, from the committed token: no new snapshot.
        try orders.insertMany([Self.order(31, amount: .int32(31))])
        try orders.deleteMany(["_id": Self.order(4, amount: .null)["_id"]!])
        let before = try applied()
        let second = try EnergizeBinary.start(["follow", "--batch-interval", "1s"], in: folder)
        #expect(try eventually { try applied() >= before + 2 })
        second.send(SIGTERM)
        let (secondStatus, secondOutput) = second.wait()
        #expect(secondStatus == 6 && !secondOutput.contains("taking a snapshot"), "\(secondOutput)")
        #expect(try contents(connection, "it_fc") == (try batchLoad(connection)))
        #expect(try connection.execute("SELECT status FROM it_fc_meta.runs ORDER BY run_id DESC LIMIT 1").scalar == "stopped")
    }

    /// Models built on a clock (`--transform-every`) or by count (`follow.transform_after_changes`
    /// in energize.yml) follow the changes.
    @Test(arguments: [(["--transform-every", "1s"], ""), ([], "follow: {batch_interval: 200ms, transform_after_changes: 6}")])
    func modelsAreBuiltWhileFollowing(options: [String], settings: String) throws {
        let (client, orders, connection, folder) = try start(with: (1...10).map { Self.order($0, amount: .int32(Int32($0))) }, model: true, settings: settings)
        defer { withExtendedLifetime(client) { connection.close() }; try? FileManager.default.removeItem(at: folder) }
        let counted = { () -> String? in
            (try? connection.execute("SELECT orders::text FROM it_fc_warehouse.order_count").scalar) ?? nil
        }
        let running = try EnergizeBinary.start(["follow"] + (settings.isEmpty ? ["--batch-interval", "200ms"] : []) + options, in: folder)
        #expect(eventually { counted() == "10" }, "the first transform after the snapshot")
        for n in 11...15 { try orders.insertMany([Self.order(n, amount: .int32(Int32(n)))]) }
        try orders.deleteMany(["_id": Self.order(1, amount: .null)["_id"]!])
        // The transform that saw them has ended too (its data tests ran) when no run but the follow run is open.
        let transformsRunning = { () -> String? in
            (try? connection.execute("SELECT count(*) FROM it_fc_meta.runs WHERE status = 'running' AND run_id > (SELECT min(run_id) FROM it_fc_meta.runs)").scalar) ?? nil
        }
        #expect(eventually { counted() == "14" && transformsRunning() == "0" }, "the model after the changes: \(counted() ?? "none")")
        running.send(SIGTERM)
        let (status, output) = running.wait()
        #expect(status == 6, "\(output)")
        #expect(output.contains("transform after starting to follow: models built") && output.contains("changes: models built"), "\(output)")
        // Each transform is a run of its own in the history, beside the follow run.
        #expect(try connection.execute("SELECT count(*) >= 2 FROM it_fc_meta.model_runs WHERE model = 'order_count' AND status = 'succeeded'").scalar == "t")
    }

    @Test func killedAtRandomPointsItLosesAndDuplicatesNothing() throws {
        let (client, orders, connection, folder) = try start(with: (1...50).map { Self.order($0, amount: .int32(Int32($0))) })
        defer { withExtendedLifetime(client) { connection.close() }; try? FileManager.default.removeItem(at: folder) }

        // A writer of its own changes the collection the whole time (inserts, replaces, deletes).
        let writerDone = DispatchSemaphore(value: 0)
        let writing = Flag(true)
        let uri = try LiveServers.mongoURI()
        let writer = Thread {
            defer {
                writing.set(false)
                writerDone.signal()
            }
            guard let client = try? MongoClient(uri: uri) else { return }
            let orders = client.collection("orders", in: Self.database)
            var random = SystemRandomNumberGenerator()
            for step in 1...240 {
                let n = Int.random(in: 1...80, using: &random)
                let id = Self.order(n, amount: .null)["_id"]!
                switch step % 3 {
                case 0: try? orders.deleteMany(["_id": id])
                default:
                    try? orders.deleteMany(["_id": id])
                    try? orders.insertMany([Self.order(n, amount: .int32(Int32(step)), version: Int64(step))])
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        writer.start()
        var killedWhileApplying = 0
        for _ in 0..<3 {
            let running = try EnergizeBinary.start(["follow", "--batch-interval", "1s", "--batch-changes", "7"], in: folder)
            Thread.sleep(forTimeInterval: Double.random(in: 0.6...2.5))
            let committed = try connection.execute("SELECT to_regclass('it_fc_meta.change_streams') IS NOT NULL").scalar == "t"
                && (try connection.execute("SELECT count(*) FROM it_fc_meta.change_streams").scalar) == "1"
            if committed && writing.value { killedWhileApplying += 1 }
            running.send(SIGKILL)
            _ = running.wait()
            // libmongoc's counters segment would outlive a killed process (and make a later one
            // with its pid warn on stdout's neighbour); energize keeps them in process memory.
            let segment = "/dev/shm/mongoc-\(running.process.processIdentifier)"
            #expect(!FileManager.default.fileExists(atPath: segment), "\(segment) was left behind")
        }
        #expect(killedWhileApplying > 0, "no kill landed while changes streamed in after a committed position")
        writerDone.wait()
        let expected = try batchLoad(connection)
        let last = try EnergizeBinary.start(["follow", "--batch-interval", "1s"], in: folder)
        // Following (its run recorded, held by a live session: its signal handler is in place).
        #expect(try eventually {
            try connection.execute("""
                SELECT 1 FROM it_fc_meta.runs r JOIN pg_stat_activity a ON a.pid = r.holder_pid WHERE r.status = 'running'
                """).rows.count == 1
        })
        let converged = try eventually(90) { try contents(connection, "it_fc") == expected }
        last.send(SIGTERM)
        let (status, output) = last.wait()
        #expect(converged, "the followed table did not converge to the collection\n\(output)")
        #expect(status == 6, "\(output)")
        let duplicates = try connection.execute("SELECT count(*) - count(DISTINCT _id) FROM it_fc_raw.orders").scalar
        #expect(duplicates == "0")
    }

    /// A monitor sees a followed stream through `serve`: /health lists it with its lag and pace,
    /// /metrics has it in Prometheus' format; once its process stops speaking (killed), /health
    /// answers 503 and says `unresponsive`.
    @Test func aMonitorSeesTheFollowedStreamsLagAndPace() throws {
        let (client, orders, connection, folder) = try start(with: (1...5).map { Self.order($0, amount: .int32(Int32($0))) })
        defer { withExtendedLifetime(client) { connection.close() }; try? FileManager.default.removeItem(at: folder) }
        let follower = try EnergizeBinary.start(["follow", "--batch-interval", "200ms"], in: folder)
        defer { follower.send(SIGKILL); _ = follower.wait() }
        #expect(try eventually { try followed(in: folder) != nil }, "no position committed after the snapshot")
        for n in 6...9 { try orders.insertMany([Self.order(n, amount: .int32(Int32(n)))]) }
        #expect(try eventually { try followed(in: folder)?["changes_per_minute"] as? Int == 4 })

        let port = try LocalMongoServer.freePort()
        let server = try EnergizeBinary.start(["serve", "--port", String(port), "--refresh", "0"], in: folder)
        var serverStopped = false
        defer { if !serverStopped { server.send(SIGTERM); _ = server.wait() } }
        let base = "http://127.0.0.1:\(port)"
        guard eventually(60, { (try? DocsSiteTests.get(base + "/health"))?.status == 200 }) else {
            let last = try? DocsSiteTests.get(base + "/health")
            server.send(SIGTERM)
            serverStopped = true
            Issue.record("energize serve did not answer 200 on \(base)/health: \(last.map { "\($0.status) \($0.body)" } ?? "no answer"); it printed: \(server.wait().output)")
            return
        }
        let health = try DocsSiteTests.get(base + "/health")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        let stream = try #require((json["followed"] as? [[String: Any]])?.first, "\(health.body)")
        #expect(json["status"] as? String == "ok" && json["runs_running"] as? Int == 1, "the follow run is running: \(health.body)")
        #expect(stream["stream"] as? String == "orders" && stream["state"] as? String == "following"
                && (stream["changes_per_minute"] as? Int).map { (0...4).contains($0) } == true && stream["changes_applied"] as? Int == 4,
                "the pace of the last minute (4, unless a minute has passed on a slow machine): \(health.body)")
        let metrics = try DocsSiteTests.get(base + "/metrics")
        #expect(metrics.status == 200, "\(metrics.body)")
        for line in ["# TYPE energize_follow_lag_seconds gauge", "energize_follow_up{pipeline=\"it_fc\",stream=\"orders\"} 1",
                     "energize_follow_changes_applied_total{pipeline=\"it_fc\",stream=\"orders\"} 4",
                     "energize_follow_changes_behind{pipeline=\"it_fc\",stream=\"orders\"} 0", "energize_healthy{pipeline=\"it_fc\"} 1"] {
            #expect(metrics.body.contains(line + "\n"), "\(line) missing from:\n\(metrics.body)")
        }
        #expect(metrics.body.contains("energize_follow_changes_per_minute{pipeline=\"it_fc\",stream=\"orders\"} "), "\(metrics.body)")

        // Killed, it says nothing more; ten seconds on (the clock moved back by the same, rather
        // than waited for), it is unresponsive.
        follower.send(SIGKILL)
        _ = follower.wait()
        try connection.execute("UPDATE it_fc_meta.followers SET seen_at = seen_at - interval '11 seconds'")
        let after = try DocsSiteTests.get(base + "/health")
        #expect(after.status == 503 && after.body.contains("\"state\" : \"unresponsive\""), "\(after.body)")
        #expect(try DocsSiteTests.get(base + "/metrics").body.contains("energize_follow_up{pipeline=\"it_fc\",stream=\"orders\"} 0\n"))
        #expect(try EnergizeBinary.run(["status"], in: folder).output.contains("unresponsive (seen "))
    }
}

/// A flag set from one thread and read from another.
final class Flag: @unchecked Sendable {
    // @unchecked Sendable: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state: Bool

    init(_ value: Bool) { state = value }

    var value: Bool { lock.withLock { state } }
    func set(_ value: Bool) { lock.withLock { state = value } }
}
