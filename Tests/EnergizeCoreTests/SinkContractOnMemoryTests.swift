import EnergizeCore
import EnergizeTesting
import Testing

/// The sink contract suite on the in-memory fake: the same scenarios run on PostgreSQL in IntegrationTests.
@Suite struct SinkContractOnMemoryTests {
    static func suite(_ sink: MemorySink) -> SinkContractSuite {
        SinkContractSuite(sink: sink, prefix: "") { table, key in
            sink.rows(table).map { row in
                guard case .string(let k) = row[key], case .string(let status) = row["status"] else { return ("?", "?") }
                return (k, status)
            }
        }
    }

    @Test func incrementalStrategyFollowsWarehouseSpec() async throws {
        try await Self.suite(MemorySink()).incremental()
    }

    @Test func replaceStrategyFollowsWarehouseSpec() async throws {
        try await Self.suite(MemorySink()).replace()
    }

    @Test func batchBoundariesLoadEveryRowOnce() async throws {
        try await Self.suite(MemorySink()).batchBoundaries()
    }

    @Test func mergeReplacesRowsByKeyAndKeepsOthers() async throws {
        let source = MemorySource(["m": [["k": .string("1"), "v": .int32(1)], ["k": .string("2"), "v": .int32(1)]]])
        let sink = MemorySink()
        let stream = StreamConfig("m", strategy: .merge(key: "k"))
        let pipeline = Pipeline(name: "merge", source: source, sink: sink, streams: [stream])
        _ = try await pipeline.run()
        source.set("m", [["k": .string("2"), "v": .int32(2)], ["k": .string("3"), "v": .int32(1)]])
        _ = try await pipeline.run()
        let rows = sink.rows("m").map { ($0["k"]!, $0["v"]!) }
        #expect(rows.count == 3)
        #expect(Set(rows.map { "\($0.0)=\($0.1)" }) == ["string(\"1\")=int32(1)", "string(\"2\")=int32(2)", "string(\"3\")=int32(1)"])
    }

    @Test func appendKeepsEveryRow() async throws {
        let source = MemorySource(["a": [["n": .int32(1)]]])
        let sink = MemorySink()
        let pipeline = Pipeline(name: "append", source: source, sink: sink, streams: [StreamConfig("a", strategy: .append)])
        _ = try await pipeline.run()
        _ = try await pipeline.run()
        #expect(sink.rows("a").count == 2)
    }

    @Test func failedLoadLeavesTheTableAsItWasAndTheOtherStreamsLoad() async throws {
        let source = MemorySource(["a": (0..<10).map { ["n": .int32(Int32($0))] }, "b": [["n": .int32(1)]]])
        let sink = MemorySink()
        let pipeline = Pipeline(name: "fail", source: source, sink: sink,
                                streams: [StreamConfig("a"), StreamConfig("b")], settings: PipelineSettings(batchSize: 3))
        _ = try await pipeline.run()
        source.set("a", (0..<4).map { ["n": .int32(Int32($0))] })
        sink.failAfterBatches = 1
        let report = try await pipeline.run()
        #expect(report.streams.map(\.status) == [.failed, .succeeded])
        #expect(report.streams[0].retryability == .transient)
        #expect(report.streams[0].error?.contains("stream a") == true)
        #expect(sink.rows("a").count == 10)
    }

    @Test func rejectsAreCountedAndKeptWhole() async throws {
        let good: Document = ["_id": .objectId("0000000000000000000000a1"), "k": .string("1"), "q": .int32(1)]
        let bad: Document = ["_id": .objectId("0000000000000000000000a2"), "k": .string("2"), "q": .string("two")]
        let source = MemorySource(["s": [good, bad]])
        let sink = MemorySink()
        let stream = StreamConfig("s", contract: [FieldRequirement("q", .wholeNumber)])
        let report = try await Pipeline(name: "rejects", source: source, sink: sink, streams: [stream]).run()
        #expect(report.streams[0].rowsRead == 2)
        #expect(report.streams[0].rowsRejected == 1)
        #expect(sink.rows("s").count == 1)
        let reject = try #require(sink.rejects(collection: "s").first)
        #expect(reject.documentId == "0000000000000000000000a2")
        #expect(reject.reason == "field `q` must be a whole number but is string \"two\"")
        #expect(reject.document == bad)
    }
}

@Suite struct RejectThresholdTests {
    @Test func aStreamOverItsRejectThresholdIsFlaggedButLoads() async throws {
        let documents: [Document] = [["q": .int32(1)], ["q": .string("x")], ["q": .string("y")]]
        let sink = MemorySink()
        let stream = StreamConfig("s", contract: [FieldRequirement("q", .wholeNumber)])
        let strict = Pipeline(name: "t", source: MemorySource(["s": documents]), sink: sink, streams: [stream],
                              settings: PipelineSettings(maxRejectRatio: 0.5))
        let report = try await strict.run()
        #expect(report.succeeded)
        #expect(report.streamsOverRejectThreshold.map(\.stream) == ["s"])
        #expect(sink.rows("s").count == 1)
        let lenient = Pipeline(name: "t", source: MemorySource(["s": documents]), sink: sink, streams: [stream],
                               settings: PipelineSettings(maxRejectRatio: 0.7))
        #expect(try await lenient.run().streamsOverRejectThreshold.isEmpty)
    }
}
