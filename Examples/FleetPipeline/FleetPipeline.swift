// A custom pipeline for a different MongoDB database, in a few lines of library code: the
// vehicles and battery readings of a fleet-telemetry app, loaded into PostgreSQL schema `fleet`.
import EnergizeCore

/// The fleet pipeline's streams and settings, independent of where data comes from and goes to.
public enum FleetPipeline {
    public static let streams = [
        // Small reference data: the table becomes exactly the collection on every run.
        StreamConfig("vehicles", strategy: .replace, contract: [FieldRequirement("plate", .string)]),
        // Append-mostly events: re-read the last 2 hours so late writes land, upsert by key.
        StreamConfig("readings", table: "battery_readings",
                     strategy: .incremental(cursor: "recorded_at", key: "reading_id", lookback: .hours(2)),
                     contract: [FieldRequirement("vehicle", .string), FieldRequirement("soc", .number)]),
    ]

    /// The pipeline from any source to any sink (MongoDB → PostgreSQL, or fakes in tests).
    public static func make(source: any Source, sink: any Sink) -> Pipeline {
        Pipeline(name: "fleet", source: source, sink: sink, streams: streams,
                 settings: PipelineSettings(batchSize: 10_000, retry: RetryPolicy(retries: 3, initialDelay: 5)))
    }
}
