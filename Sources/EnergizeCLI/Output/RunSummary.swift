import EnergizeCore
import Foundation
import PGSink

/// The human summary of a run: one line per stream and a verdict.
struct RunSummary {
    let report: RunReport

    /// What `--quiet` prints: the verdict, and why it is not a success (failed streams, rejects over the limit).
    var quietText: String {
        (problems + [verdict]).joined(separator: "\n")
    }

    var text: String {
        var lines: [String] = []
        let header = ["stream", "strategy", "read", "loaded", "rejected", "table rows", "watermark after", "change"]
        var rows: [[String]] = []
        for stream in report.streams {
            let outcome = stream.outcome
            rows.append([
                stream.stream, stream.strategy,
                String(stream.rowsRead), outcome.map { String($0.rowsLoaded) } ?? "-", String(stream.rowsRejected),
                outcome.map { String($0.tableRows) } ?? "-",
                outcome?.watermarkAfter.flatMap(ValueText.display) ?? "-",
                change(stream),
            ])
        }
        lines.append(Table.render(header: header, rows: rows))
        lines += problems
        for stream in report.streams where stream.status == .succeeded && stream.attempts > 1 {
            lines.append("RETRIED \(stream.stream): succeeded on attempt \(stream.attempts)")
        }
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    /// One line per failed stream and per stream over the reject limit.
    private var problems: [String] {
        report.streams.filter { $0.status == .failed }.map { stream in
            "FAILED \(stream.error ?? stream.stream)" + (stream.attempts > 1 ? " (after \(stream.attempts) attempts)" : "")
        } + report.streamsOverRejectThreshold.map { stream in
            String(format: "REJECTS %@: %.1f%% of %d documents rejected, over the limit of %.1f%% (see _rejects)",
                   stream.stream, stream.rejectRatio * 100, stream.rowsRead, (stream.maxRejectRatio ?? 0) * 100)
        }
    }

    var verdict: String {
        let failed = report.streams.filter { $0.status != .succeeded }.count
        let unchanged = report.streams.allSatisfy { $0.outcome?.tableUnchanged == true }
        let duration = String(format: "%.1f", report.durationSeconds)
        if failed > 0 {
            return "run \(report.run.runId): \(failed) of \(report.streams.count) streams FAILED or not started (\(duration) s); their tables are as before the run"
        }
        return "run \(report.run.runId): \(report.streams.count) stream\(report.streams.count == 1 ? "" : "s") loaded in \(duration) s"
            // What the load saw, not a claim about the source: a change outside a look-back window,
            // or a document that went to _rejects, leaves the streams' tables as they were.
            + (unchanged ? "; every stream's table holds the same rows as before the run" : "")
    }

    private func change(_ stream: StreamReport) -> String {
        guard let outcome = stream.outcome else { return stream.status == .skipped ? "not started (stop requested)" : "failed, rolled back" }
        if outcome.tableUnchanged { return "unchanged" }
        return "+\(outcome.rowsAdded) new or changed, -\(outcome.rowsRemoved) replaced or removed"
    }
}

/// Plain-text tables with aligned columns.
enum Table {
    /// Rows under a header, in columns; `rightAligned` columns (numbers) align right.
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = [2, 3, 4, 5]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
