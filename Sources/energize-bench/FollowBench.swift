import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// `energize-bench --follow N`: `energize follow` on a collection of its own. Latency: a steady
/// trickle of inserts (100 a second), each timed from the client's write to the moment a poller
/// (every 5 ms) first sees its row committed in PostgreSQL; median and 99th percentile. Throughput:
/// N inserts written as fast as the client can (batches of 500), against the time until the last
/// is committed, the client's own write rate the baseline; and N more written while it is stopped,
/// caught up by a new `energize follow`.
struct FollowBench {
    let mongoURI: String
    let pgURI: String
    /// The `energize` executable.
    let energize: String
    let changes: Int
    /// `energize follow --batch-interval`.
    let interval: String
    let database = "bench_follow"
    let pipeline = "bench_follow"

    func run() throws {
        let client = try MongoClient(uri: mongoURI)
        let events = client.collection("events", in: database)
        try events.drop()
        try events.insertMany([["_id": .int64(0), "seq": .int64(0), "written_at": .date(Self.now())]])
        let connection = try PGConnection(pgURI)
        defer { connection.close() }
        for suffix in ["raw", "staging", "warehouse", "meta"] { try connection.execute("DROP SCHEMA IF EXISTS \(pipeline)_\(suffix) CASCADE") }
        let project = FileManager.default.temporaryDirectory.appendingPathComponent("energize-follow-bench-\(getpid())")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: project) }
        try """
            pipeline: \(pipeline)
            source: {database: \(database)}
            streams: [{name: events}]
            transform: {enabled: false}
            """.write(to: project.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: energize)
        follow.arguments = ["follow", "--project", project.path, "--batch-interval", interval]
        follow.standardOutput = FileHandle.nullDevice
        try follow.run()
        defer {
            if follow.isRunning { kill(follow.processIdentifier, SIGTERM) }
            follow.waitUntilExit()
        }
        let table = "\(pipeline)_raw.events"
        func committed() -> Int64 {
            guard (try? connection.execute("SELECT to_regclass($1) IS NOT NULL", ["\(pipeline)_meta.change_streams"]).scalar) == "t" else { return -1 }
            return (try? connection.execute("SELECT coalesce(max(seq), -1) FROM \(table)").scalar).flatMap { $0.flatMap { Int64($0) } } ?? -1
        }
        while committed() < 0 { Thread.sleep(forTimeInterval: 0.05) }

        // Latency: 100 inserts a second for five seconds, each seen committed by a poller.
        let trickle = 500
        var writtenAt: [Int64] = []
        let seen = SeenTimes()
        let poller = Thread {
            let watcher = try? PGConnection(pgURI)
            defer { watcher?.close() }
            while seen.highest < Int64(trickle) {
                if let value = (try? watcher?.execute("SELECT coalesce(max(seq), 0) FROM \(table)").scalar).flatMap({ $0.flatMap { Int64($0) } }) {
                    seen.saw(value, at: Self.now())
                }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        poller.start()
        let started = Self.now()
        for seq in 1...trickle {
            let due = started + Int64(seq) * 10
            let wait = due - Self.now()
            if wait > 0 { Thread.sleep(forTimeInterval: Double(wait) / 1000) }
            let at = Self.now()
            try events.insertMany([["_id": .int64(Int64(seq)), "seq": .int64(Int64(seq)), "written_at": .date(at)]])
            writtenAt.append(at)
        }
        while seen.highest < Int64(trickle) { Thread.sleep(forTimeInterval: 0.01) }
        let latencies = (1...trickle).map { Double(seen.firstSeen(atLeast: Int64($0)) - writtenAt[$0 - 1]) }.sorted()
        let medianLatency = latencies[latencies.count / 2], p99 = latencies[Int(Double(latencies.count) * 0.99) - 1]

        // Throughput: `changes` inserts as fast as the client writes them.
        let first = trickle + 1, last = trickle + changes
        let writeStart = Date()
        for chunk in stride(from: first, through: last, by: 500) {
            try events.insertMany((chunk...min(chunk + 499, last)).map { ["_id": .int64(Int64($0)), "seq": .int64(Int64($0)), "written_at": .date(Self.now())] })
        }
        let writeSeconds = Date().timeIntervalSince(writeStart)
        while committed() < Int64(last) { Thread.sleep(forTimeInterval: 0.02) }
        let applySeconds = Date().timeIntervalSince(writeStart)
        kill(follow.processIdentifier, SIGTERM)
        follow.waitUntilExit()

        // Catching up: `changes` more written while it is stopped, then a new `energize follow`
        // until the last is committed (its start included): the rate when changes wait for it.
        let backlogFirst = last + 1, backlogLast = last + changes
        for chunk in stride(from: backlogFirst, through: backlogLast, by: 500) {
            try events.insertMany((chunk...min(chunk + 499, backlogLast)).map { ["_id": .int64(Int64($0)), "seq": .int64(Int64($0)), "written_at": .date(Self.now())] })
        }
        let catchUp = Process()
        catchUp.executableURL = URL(fileURLWithPath: energize)
        catchUp.arguments = follow.arguments
        catchUp.standardOutput = FileHandle.nullDevice
        let catchUpStart = Date()
        try catchUp.run()
        while committed() < Int64(backlogLast) { Thread.sleep(forTimeInterval: 0.02) }
        let catchUpSeconds = Date().timeIntervalSince(catchUpStart)
        kill(catchUp.processIdentifier, SIGTERM)
        catchUp.waitUntilExit()

        print("")
        print("| `energize follow` (batches: 1,000 changes or \(interval)) | figure | baseline in the same invocation |")
        print("|---|---|---|")
        print(String(format: "| latency, MongoDB write → row committed in PostgreSQL, %d inserts at 100/s | median %.0f ms, 99th percentile %.0f ms | — |",
                     trickle, medianLatency, p99))
        print(String(format: "| sustained, %d inserts written as fast as the client can | %.0f changes/s (all committed %.2f s after the first write) | the client's own writes: %.0f/s (%.2f s) |",
                     changes, Double(changes) / applySeconds, applySeconds, Double(changes) / writeSeconds, writeSeconds))
        print(String(format: "| catching up, %d changes waiting when it starts | %.0f changes/s (%.2f s from its start) | — |",
                     changes, Double(changes) / catchUpSeconds, catchUpSeconds))
        print("follow exited \(follow.terminationStatus) and \(catchUp.terminationStatus) (6: stopped on request)")
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// When a poller first saw each highest committed sequence number.
final class SeenTimes: @unchecked Sendable {
    // @unchecked Sendable: `points` is only touched under `lock`.
    private let lock = NSLock()
    private var points: [(seq: Int64, at: Int64)] = []

    var highest: Int64 { lock.withLock { points.last?.seq ?? 0 } }

    func saw(_ seq: Int64, at time: Int64) {
        lock.withLock { if seq > (points.last?.seq ?? 0) { points.append((seq, time)) } }
    }

    /// The first time a sequence number at least `seq` was seen committed.
    func firstSeen(atLeast seq: Int64) -> Int64 {
        lock.withLock { points.first { $0.seq >= seq }?.at ?? .max }
    }
}
