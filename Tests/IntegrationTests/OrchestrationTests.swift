@testable import EnergizeCLI
import EnergizeCore
import EnergizeTech
import EnergizeTesting
import Foundation
import MongoSource
import PGSink
import Testing

/// The lock, retries against a server that comes back, and run history, on the real servers.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct OrchestrationTests {
    @Test func aSecondRunOfAPipelineSaysWhoHoldsTheLockAndExitsOrWaits() async throws {
        let uri = try LiveServers.pgURI()
        let held = try PipelineLock(connectionString: uri, pipeline: "it-lock", streams: ["a", "b"], transform: true)
        do {
            _ = try PipelineLock(connectionString: uri, pipeline: "it-lock", streams: ["b"], transform: false)
            Issue.record("took a lock that was held")
        } catch let error as EnergizeError {
            #expect(error.code == .locked)
            #expect(error.message.hasPrefix("pipeline it-lock is already running: the lock it-lock:stream:b is held by 'energize it-lock lock pid \(getpid())"),
                    "\(error.message)")
        }
        // The CLI's run exits with status 5 and loads nothing.
        var config = EnergizeConfig(pipeline: "it-lock")
        config.pgURI = uri
        config.mongoURI = try LiveServers.mongoURI()
        config.rawSchema = "it_lock_raw"
        config.streams = [StreamConfig("a"), StreamConfig("b")]
        let status = try await PipelineExecution(config: config, quiet: true).run()
        #expect(status == .locked)
        #expect(try LiveServers.freshSchemas([]).execute("SELECT to_regclass('it_lock_raw.a') IS NULL").scalar == "t")
        // One that waits gets the lock once it is released.
        // The waiter blocks (it polls the lock): on a thread of its own, not Swift's cooperative pool.
        let waited = DispatchSemaphore(value: 0)
        let outcome = EventLog()
        Thread {
            do {
                let lock = try PipelineLock(connectionString: uri, pipeline: "it-lock", streams: ["a"], transform: false, waitSeconds: 20)
                lock.release()
                outcome.append(.streamStarted(stream: "waited", estimatedCount: nil))
            } catch {
                // Said in the expectation below, so a failure shows why the waiter did not get the lock.
                outcome.append(.streamStarted(stream: "failed: \(error)", estimatedCount: nil))
            }
            waited.signal()
        }.start()
        // Released from a thread too: the cooperative pool (two threads here) may be busy with other
        // suites' blocking work for longer than the waiter waits.
        Thread {
            Thread.sleep(forTimeInterval: 1.5)
            held.release()
        }.start()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { waited.wait(); continuation.resume() }
        }
        #expect(outcome.started == ["waited"], "the waiting run did not get the released lock")
        // Another pipeline is not blocked.
        try PipelineLock(connectionString: uri, pipeline: "it-other", streams: ["a"], transform: true).release()
    }

    @Test func oneLockFamilyPerPipelineStreamLoadsInParallelNothingElseOverlaps() throws {
        let uri = try LiveServers.pgURI()
        func takes(_ streams: [String], transform: Bool) -> Bool {
            guard let lock = try? PipelineLock(connectionString: uri, pipeline: "it-family", streams: streams, transform: transform) else { return false }
            lock.release()
            return true
        }
        // Fanned-out stream loads (`run --streams a`, `run --streams b`) run side by side.
        let streamA = try PipelineLock(connectionString: uri, pipeline: "it-family", streams: ["a"], transform: false)
        #expect(takes(["b"], transform: false))
        #expect(takes([], transform: true), "a transform may run while one stream loads")
        #expect(!takes(["a"], transform: false), "the same stream twice")
        #expect(!takes(["a", "b"], transform: true), "a whole run while a stream loads")
        streamA.release()
        // A transform (or test) excludes another transform and a whole run, not a stream load.
        let transform = try PipelineLock(connectionString: uri, pipeline: "it-family", streams: [], transform: true)
        #expect(!takes([], transform: true))
        #expect(!takes(["a", "b"], transform: true))
        #expect(takes(["a"], transform: false))
        transform.release()
        #expect(takes(["a", "b"], transform: true))
    }

    @Test func aStreamRetriesUntilTheServerComesBackAndBadCredentialsAreNotRetried() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-retry-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try LocalMongoServer(folder: folder)
        defer { server.stop() }
        let connection = try LiveServers.freshSchemas(["it_retry", "it_retry_meta"])
        defer { connection.close() }
        let pipeline = Pipeline(
            name: "it-retry",
            source: MongoSource(uri: "mongodb://127.0.0.1:\(server.port)/?serverSelectionTimeoutMS=700&connectTimeoutMS=700", database: "retry"),
            sink: PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: "it_retry", metaSchema: "it_retry_meta")),
            streams: [StreamConfig("things")],
            settings: PipelineSettings(retry: RetryPolicy(retries: 8, initialDelay: 1, maxDelay: 2, jitter: 0)))
        // The MongoDB server starts once the stream has failed for want of it (a retry is then due).
        let events = EventLog()
        let starter = Thread {
            for _ in 0..<600 where events.retries == 0 { Thread.sleep(forTimeInterval: 0.05) }
            try? server.start(wait: false)
        }
        starter.start()
        let report = try await pipeline.run { events.append($0) }
        let stream = try #require(report.streams.first)
        #expect(stream.status == .succeeded, "\(stream.error ?? "")")
        #expect(stream.attempts > 1)
        #expect(events.retries > 0)
        // Run history keeps the attempts and the error that the retry overcame.
        let recorded = try connection.execute("SELECT status, attempts, error IS NOT NULL FROM it_retry_meta.stream_runs").rows
        #expect(recorded == [["succeeded", String(stream.attempts), "t"]])

        let badPassword = Redaction.redact(try LiveServers.pgURI()) == (try LiveServers.pgURI())
            ? try LiveServers.pgURI() : try LiveServers.pgURI().replacingOccurrences(of: ":energize-local@", with: ":wrong-password@")
        do {
            _ = try PGConnection(badPassword)
            Issue.record("connected with a wrong password")
        } catch let error as PGError {
            #expect(error.retryability == .terminal)
            #expect(!"\(error)".contains("wrong-password"))
        }
    }

    @Test func statusReadsTheRunHistory() async throws {
        let connection = try LiveServers.freshSchemas(["it_status", "it_status_meta"])
        defer { connection.close() }
        let source = MemorySource(["a": [["n": .int32(1)]], "b": [["n": .string("x")]]])
        let sink = PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: "it_status", metaSchema: "it_status_meta"))
        let report = try await Pipeline(name: "it-status", source: source, sink: sink, streams: [StreamConfig("a"), StreamConfig("b")]).run()
        let history = try RunHistory.read(connection, metaSchema: "it_status_meta", pipeline: "it-status", limit: 3)
        #expect(history.runs.map(\.runId) == [report.run.runId])
        #expect(history.runs[0].streams.map(\.stream) == ["a", "b"])
        #expect(history.runs[0].streams[0].rowsLoaded == 1)
        #expect(history.text.contains("run \(report.run.runId)"))
        let json = try JSONEncoder().encode(history)
        #expect(String(decoding: json, as: UTF8.self).contains("\"pipeline\":\"it-status\""))
    }
}

/// Collects pipeline events from stream threads.
final class EventLog: @unchecked Sendable {
    // @unchecked Sendable: `events` is only touched under `lock`.
    private let lock = NSLock()
    private var events: [PipelineEvent] = []

    func append(_ event: PipelineEvent) { lock.withLock { events.append(event) } }

    var started: [String] {
        lock.withLock { events.compactMap { if case .streamStarted(let stream, _) = $0 { stream } else { nil } } }
    }

    var retries: Int {
        lock.withLock { events.filter { if case .streamRetrying = $0 { true } else { false } }.count }
    }
}
