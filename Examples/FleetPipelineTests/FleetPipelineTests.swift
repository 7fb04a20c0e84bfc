// A unit test of a custom pipeline on energize's in-memory fakes: no server needed.
import EnergizeCore
import EnergizeTesting
import FleetPipeline
import Testing

@Suite struct FleetPipelineTests {
    @Test func readingsUpsertByKeyAndBadReadingsAreRejected() async throws {
        let source = MemorySource([
            "vehicles": [["_id": .objectId("000000000000000000000001"), "plate": .string("ABC1D23")]],
            "readings": [
                ["reading_id": .string("r1"), "vehicle": .string("ABC1D23"), "soc": .double(0.81), "recorded_at": .date(1_000)],
                ["reading_id": .string("r2"), "vehicle": .string("ABC1D23"), "soc": .string("81%"), "recorded_at": .date(2_000)],
            ],
        ])
        let sink = MemorySink()
        let pipeline = FleetPipeline.make(source: source, sink: sink)
        let first = try await pipeline.run()
        #expect(first.succeeded)
        #expect(sink.rows("battery_readings").count == 1)
        #expect(sink.rejects(collection: "readings").map(\.reason) == ["field `soc` must be a number but is string \"81%\""])

        // A late correction of r1 lands in the look-back window and replaces the old row.
        source.upsert("readings", [["reading_id": .string("r1"), "vehicle": .string("ABC1D23"), "soc": .double(0.79), "recorded_at": .date(3_000)]])
        _ = try await pipeline.run()
        #expect(sink.rows("battery_readings").map { $0["soc"] } == [.double(0.79)])
    }
}
