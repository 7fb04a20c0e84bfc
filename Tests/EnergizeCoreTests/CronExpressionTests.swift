import EnergizeCore
import Testing

@Suite struct CronExpressionTests {
    func ms(_ y: Int64, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0) -> Int64 {
        CivilTime.milliseconds(year: y, month: m, day: d, hour: h, minute: min)
    }

    @Test(arguments: [
        ("*/15 * * * *", (2024, 1, 1, 10, 7), (2024, 1, 1, 10, 15)),
        ("0 2 * * *", (2024, 1, 1, 2, 0), (2024, 1, 2, 2, 0)),            // strictly after
        ("30 23 31 * *", (2024, 4, 1, 0, 0), (2024, 5, 31, 23, 30)),      // April has no 31st
        ("0 0 29 2 *", (2024, 3, 1, 0, 0), (2028, 2, 29, 0, 0)),          // next leap day
        ("0 9 * * 1-5", (2024, 3, 1, 10, 0), (2024, 3, 4, 9, 0)),         // Friday 10:00 → Monday
        ("0 12 1 * 0", (2024, 9, 2, 0, 0), (2024, 9, 8, 12, 0)),          // day of month OR Sunday
        ("5,35 8-10/2 * 1,7 7", (2024, 6, 30, 23, 0), (2024, 7, 7, 8, 5)), // lists, ranges with steps, 7 = Sunday
        ("59 23 31 12 *", (2024, 12, 31, 23, 59), (2025, 12, 31, 23, 59)),
    ])
    func nextTick(expression: String, after: (Int64, Int, Int, Int, Int), expected: (Int64, Int, Int, Int, Int)) throws {
        let cron = try CronExpression(expression)
        #expect(cron.next(after: ms(after.0, after.1, after.2, after.3, after.4))
                == ms(expected.0, expected.1, expected.2, expected.3, expected.4))
    }

    @Test func neverMatchingExpressionsHaveNoNextTick() throws {
        #expect(try CronExpression("0 0 30 2 *").next(after: 0) == nil)
    }

    @Test func mistakesNameTheField() {
        #expect(throws: CronExpression.Invalid(description: "hour field `24`: values run from 0 to 23")) { try CronExpression("0 24 * * *") }
        #expect(throws: CronExpression.Invalid(description: "minute field `*/0`: step `0` is not a positive number")) { try CronExpression("*/0 * * * *") }
        #expect(throws: CronExpression.Invalid(description: "a cron expression has 5 fields (minute hour day-of-month month day-of-week), `* * *` has 3")) {
            try CronExpression("* * *")
        }
        #expect(throws: CronExpression.Invalid(description: "day of month field `5-1`: range `5-1` runs backwards")) { try CronExpression("0 0 5-1 * *") }
    }
}

@Suite struct RetryPolicyTests {
    @Test func backOffDoublesUpToTheLimitWithJitter() {
        let policy = RetryPolicy(retries: 5, initialDelay: 2, maxDelay: 10, jitter: 0.5)
        #expect(policy.delay(beforeRetry: 1, random: 0) == 1)
        #expect(policy.delay(beforeRetry: 1, random: 1) == 2)
        #expect(policy.delay(beforeRetry: 3, random: 1) == 8)
        #expect(policy.delay(beforeRetry: 5, random: 1) == 10)
    }

    @Test func transientFailuresAreRetriedAndTerminalOnesAreNot() async throws {
        let source = MemorySource(["a": [["n": .int32(1)]]])
        let sink = FlakySink(failures: 2, retryability: .transient)
        let settings = PipelineSettings(retry: RetryPolicy(retries: 3, initialDelay: 0.01))
        let report = try await Pipeline(name: "retry", source: source, sink: sink, streams: [StreamConfig("a")], settings: settings).run()
        #expect(report.streams[0].status == .succeeded)
        #expect(report.streams[0].attempts == 3)
        let terminal = FlakySink(failures: 1, retryability: .terminal)
        let failed = try await Pipeline(name: "retry", source: source, sink: terminal, streams: [StreamConfig("a")], settings: settings).run()
        #expect(failed.streams[0].status == .failed)
        #expect(failed.streams[0].attempts == 1)
    }

    @Test func aStopRequestSkipsStreamsNotYetStarted() async throws {
        let source = MemorySource(["a": [["n": .int32(1)]], "b": [["n": .int32(2)]]])
        let stop = StopRequest()
        stop.request()
        let report = try await Pipeline(name: "stop", source: source, sink: MemorySink(), streams: [StreamConfig("a"), StreamConfig("b")]).run(stop: stop)
        #expect(report.streams.map(\.status) == [.skipped, .skipped])
        #expect(report.stopped)
    }
}

import EnergizeTesting
import Foundation

/// A sink whose first `failures` loads fail with the given retryability.
final class FlakySink: Sink, @unchecked Sendable {
    // @unchecked Sendable: `remaining` is only touched under `lock`.
    private let lock = NSLock()
    private var remaining: Int
    private let retryability: Retryability
    private let inner = MemorySink()

    init(failures: Int, retryability: Retryability) {
        remaining = failures
        self.retryability = retryability
    }

    func beginRun(pipeline: String, streams: [StreamConfig]) throws -> RunContext { try inner.beginRun(pipeline: pipeline, streams: streams) }
    func finishRun(_ report: RunReport) throws { try inner.finishRun(report) }
    func openLoad(for stream: StreamConfig, run: RunContext) throws -> any StreamLoad {
        let fail = lock.withLock { () -> Bool in
            defer { remaining -= 1 }
            return remaining > 0
        }
        if fail { throw EnergizeError(.sinkFailed, "connection refused", retryability: retryability) }
        return try inner.openLoad(for: stream, run: run)
    }
}
