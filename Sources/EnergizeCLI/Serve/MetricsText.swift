import Foundation

/// `/metrics` of `energize serve`: ``Health`` in Prometheus' text exposition format (version 0.0.4),
/// for a monitor that scrapes rather than polls JSON.
enum MetricsText {
    /// The exposition text of `health`.
    /// - Parameter health: what `/health` says.
    /// - Returns: the text, one family per metric, each with its `# HELP` and `# TYPE` lines.
    static func render(_ health: Health) -> String {
        var out = ""
        let pipeline = [("pipeline", health.pipeline)]
        func family(_ name: String, _ type: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                let text = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                out += "\(name){\(text)} \(number(value))\n"
            }
        }
        family("energize_healthy", "gauge", "1 when /health answers 200: the last finished run succeeded, no data test fails, no followed stream is unresponsive.",
               [(pipeline, health.isHealthy ? 1 : 0)])
        family("energize_runs_running", "gauge", "Runs not finished yet (a follow run stays running while it follows).",
               [(pipeline, Double(health.runsRunning))])
        family("energize_data_tests_failing", "gauge", "Data tests failing in their latest run.", [(pipeline, Double(health.dataTestsFailing))])
        family("energize_stream_freshness_seconds", "gauge", "Seconds since the stream's last successful load.",
               health.streams.compactMap { s in s.freshnessSeconds.map { (pipeline + [("stream", s.stream)], $0) } })
        let followed = health.followed
        func labels(_ f: Followed) -> [(String, String)] { pipeline + [("stream", f.stream)] }
        family("energize_follow_up", "gauge", "1 while a process follows the stream (it spoke in the last 10 seconds: following, taking a snapshot, retrying or starting).",
               followed.map { (labels($0), $0.isLive ? 1 : 0) })
        family("energize_follow_lag_seconds", "gauge", "Seconds from the oldest change read and not yet committed to the follower's last report; with none waiting, how far behind its newest change the last batch committed.",
               followed.compactMap { f in f.lagSeconds.map { (labels(f), $0) } })
        family("energize_follow_changes_behind", "gauge", "Changes read from MongoDB and not yet committed.",
               followed.compactMap { f in f.changesBehind.map { (labels(f), Double($0)) } })
        family("energize_follow_changes_per_minute", "gauge", "Changes committed in the last minute.",
               followed.compactMap { f in f.changesPerMinute.map { (labels(f), Double($0)) } })
        family("energize_follow_changes_applied_total", "counter", "Changes applied since the stream was first followed (or last resynced).",
               followed.map { (labels($0), Double($0.changesApplied)) })
        family("energize_follow_rows_rejected_total", "counter", "Documents of applied changes that went to _rejects.",
               followed.map { (labels($0), Double($0.rowsRejected)) })
        return out
    }

    /// A label value with `\`, `"` and line feeds escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
