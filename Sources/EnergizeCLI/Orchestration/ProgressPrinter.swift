import EnergizeCore
import Foundation

/// Shows what a running pipeline does: on a terminal, one live line per stream (documents,
/// documents per second, ETA from the collection's estimated count); off a terminal, a plain
/// line when a stream starts, retries and finishes.
final class ProgressPrinter: @unchecked Sendable {
    // @unchecked Sendable: all state is guarded by `lock`; events arrive from stream threads.
    private let lock = NSLock()
    private let enabled: Bool
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var started: [String: Date] = [:]
    private var estimates: [String: Int] = [:]
    private var counts: [String: Int] = [:]
    private var lastDraw = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func handle(_ event: PipelineEvent) {
        guard enabled else { return }
        lock.withLock {
            switch event {
            case .streamStarted(let stream, let estimate):
                started[stream] = Date()
                estimates[stream] = estimate
                counts[stream] = 0
                if !terminal { print("\(timestamp()) stream \(stream): started\(estimate.map { ", about \($0) documents" } ?? "")") }
            case .streamProgress(let stream, let read, _):
                counts[stream] = read
                if terminal && Date().timeIntervalSince(lastDraw) > 0.25 { draw() }
            case .streamRetrying(let stream, let attempt, let delay, let error):
                clearLine()
                print("\(timestamp()) stream \(stream): attempt \(attempt) failed (\(error)); retrying in \(String(format: "%.0f", delay)) s")
            case .streamFinished(let report):
                clearLine()
                counts[report.stream] = nil
                if !terminal || report.status != .succeeded {
                    print("\(timestamp()) stream \(report.stream): \(report.status.rawValue), \(report.rowsRead) read, \(report.rowsRejected) rejected, \(String(format: "%.1f", report.durationSeconds)) s")
                }
            }
        }
    }

    /// Clears the live line before the summary.
    func finish() {
        lock.withLock { clearLine() }
    }

    private func draw() {
        lastDraw = Date()
        let parts = counts.keys.sorted().map { stream -> String in
            let read = counts[stream] ?? 0
            let elapsed = max(Date().timeIntervalSince(started[stream] ?? Date()), 0.001)
            let rate = Double(read) / elapsed
            var text = "\(stream) \(read)"
            if let estimate = estimates[stream], estimate > 0 {
                let remaining = rate > 0 ? Double(max(estimate - read, 0)) / rate : 0
                text += "/\(estimate) \(Int(rate))/s ETA \(Int(remaining))s"
            } else {
                text += " \(Int(rate))/s"
            }
            return text
        }
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K  " + parts.joined(separator: " | ")).utf8))
    }

    private func clearLine() {
        if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func timestamp() -> String {
        CivilTime(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)).iso8601
    }
}
