// A custom pipeline for a different MongoDB database, in a few lines of library code:
// two collections of a fleet-telemetry app loaded into PostgreSQL schema `fleet`.
//
//   ENERGIZE_MONGO_URI=mongodb://… ENERGIZE_PG_URI=postgresql://… swift run CustomPipeline
import EnergizeCore
import Foundation
import MongoSource
import PGSink

let environment = ProcessInfo.processInfo.environment
guard let mongoURI = environment["ENERGIZE_MONGO_URI"], let pgURI = environment["ENERGIZE_PG_URI"] else {
    print("set ENERGIZE_MONGO_URI and ENERGIZE_PG_URI")
    exit(2)
}

let streams = [
    // Small reference data: the table becomes exactly the collection on every run.
    StreamConfig("vehicles", strategy: .replace, contract: [FieldRequirement("plate", .string)]),
    // Append-mostly events: re-read the last 2 hours so late writes land, upsert by key.
    StreamConfig("readings", table: "battery_readings",
                 strategy: .incremental(cursor: "recorded_at", key: "reading_id", lookback: .hours(2)),
                 contract: [FieldRequirement("vehicle", .string), FieldRequirement("soc", .number)]),
]

let pipeline = Pipeline(
    name: "fleet",
    source: MongoSource(uri: mongoURI, database: "fleet"),
    sink: PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: "fleet")),
    streams: streams)

let report = try await pipeline.run { event in
    if case .streamFinished(let stream) = event {
        print("\(stream.stream): \(stream.rowsRead) read, \(stream.rowsRejected) rejected, \(stream.status)")
    }
}
exit(report.succeeded ? 0 : 1)
