import Foundation
import PGSink
import Testing

/// `concurrency` in `energize.yml` bounds the models built at once, as it bounds streams and
/// data tests: two independent half-second models overlap at 2 and follow each other at 1.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ConcurrencySettingTests {
    /// Builds two independent models under `concurrency` and says whether their builds overlapped:
    /// the later one finished less than its own duration after the earlier one.
    func buildsOverlap(concurrency: Int) throws -> Bool {
        let pipeline = "it_conc\(concurrency)"
        let project = try TemporaryProject(pipeline, "pipeline: \(pipeline)\nconcurrency: \(concurrency)\n")
        for name in ["first", "second"] {
            try project.write("models/\(name).sql", "-- energize: materialized=table\nSELECT 1 AS x FROM pg_sleep(0.5)\n")
        }
        let transform = try project.energize("transform")
        #expect(transform.status == 0, "\(transform.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let gap = try connection.execute("""
            SELECT extract(epoch FROM max(finished_at) - min(finished_at)) < (array_agg(duration_seconds ORDER BY finished_at DESC))[1] * 0.9
            FROM \(pipeline)_meta.model_runs
            """).scalar
        return gap == "t"
    }

    @Test func modelsBuiltAtOnceFollowTheSetting() throws {
        #expect(try buildsOverlap(concurrency: 2), "two models did not build side by side at concurrency 2")
        #expect(try !buildsOverlap(concurrency: 1), "two models built side by side at concurrency 1")
    }
}
