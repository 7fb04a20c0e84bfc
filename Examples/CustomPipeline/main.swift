// Runs the fleet pipeline against real servers:
//   ENERGIZE_MONGO_URI=mongodb://… ENERGIZE_PG_URI=postgresql://… swift run CustomPipeline
import EnergizeCore
import FleetPipeline
import Foundation
import MongoSource
import PGSink

let environment = ProcessInfo.processInfo.environment
guard let mongoURI = environment["ENERGIZE_MONGO_URI"], let pgURI = environment["ENERGIZE_PG_URI"] else {
    print("set ENERGIZE_MONGO_URI and ENERGIZE_PG_URI")
    exit(2)
}
let pipeline = FleetPipeline.make(source: MongoSource(uri: mongoURI, database: "fleet"),
                                  sink: PGSink(connectionString: pgURI, settings: PGSinkSettings(rawSchema: "fleet")))
let report = try await pipeline.run { event in
    if case .streamFinished(let stream) = event {
        print("\(stream.stream): \(stream.rowsRead) read, \(stream.rowsRejected) rejected, \(stream.status)")
    }
}
exit(report.succeeded ? 0 : 1)
