import EnergizeCore
import Foundation

/// An in-memory fake `Sink` that applies load strategies as `PGSink` does: replace, append,
/// merge by key, and incremental (the look-back window and re-extracted keys replaced).
///
/// A fake for tests of pipelines and strategies: tables are arrays of documents, a stream's
/// changes apply at `commit` (all or nothing), and rejects, run ids and watermarks are kept.
/// Column typing and schema evolution are PostgreSQL's business and are not modelled.
public final class MemorySink: Sink, @unchecked Sendable {
    // @unchecked Sendable: all state is guarded by `lock`.
    private let lock = NSLock()
    private var tables: [String: [Document]] = [:]
    private var rejectRows: [(runId: Int64, collection: String, reject: Reject)] = []
    private var nextRunId: Int64 = 1
    private var reports: [RunReport] = []
    /// When set, `write` throws this error after this many batches (to test rollback).
    public var failAfterBatches: Int?

    /// An empty sink: no tables, no rejects, and the first run gets id 1.
    public init() {}

    /// The rows of a table (without `_loaded_at`; `_run_id` is kept as an int64 field).
    /// - Parameter table: the stream's table.
    public func rows(_ table: String) -> [Document] {
        lock.withLock { tables[table, default: []] }
    }

    /// The rejects recorded so far.
    /// - Parameter collection: only those of this source collection; nil for all.
    public func rejects(collection: String? = nil) -> [Reject] {
        lock.withLock { rejectRows.filter { collection == nil || $0.collection == collection }.map(\.reject) }
    }

    /// The reports of finished runs.
    public var finishedRuns: [RunReport] { lock.withLock { reports } }

    /// See `Sink.beginRun(pipeline:streams:)`.
    public func beginRun(pipeline: String, streams: [StreamConfig]) throws -> RunContext {
        lock.withLock {
            defer { nextRunId += 1 }
            return RunContext(runId: nextRunId, pipeline: pipeline, startedAt: Int64(Date().timeIntervalSince1970 * 1000))
        }
    }

    /// See `Sink.openLoad(for:run:)`.
    public func openLoad(for stream: StreamConfig, run: RunContext) throws -> any StreamLoad {
        let current = rows(stream.table)
        var watermark: Value?
        if let cursor = stream.strategy.cursorField {
            for row in current {
                guard let value = row[cursor], !value.isNull else { continue }
                if let existing = watermark, (ValueOrder.compare(value, existing) ?? 0) <= 0 { continue }
                watermark = value
            }
        }
        return MemoryLoad(sink: self, stream: stream, run: run, watermark: watermark)
    }

    /// See `Sink.finishRun(_:)`.
    public func finishRun(_ report: RunReport) throws {
        lock.withLock { reports.append(report) }
    }

    fileprivate func apply(stream: StreamConfig, run: RunContext, staged: [Document], rejects: [Reject],
                           cutoff: Value?) -> LoadOutcome {
        lock.withLock {
            let old = tables[stream.table, default: []]
            let strategy = stream.strategy
            var staged = staged
            var rejects = rejects
            var duplicates = 0
            if let key = strategy.keyField {
                // One row per key: the greatest cursor, else the last read; as PostgreSQL's, the
                // others are rejected, naming the document that kept the key.
                var latest: [Value: Document] = [:]
                var order: [Value] = []
                var losers: [(row: Document, key: Value)] = []
                for row in staged {
                    let k = row[key] ?? .null
                    if let existing = latest[k], let cursor = strategy.cursorField,
                       let a = existing[cursor], let b = row[cursor], (ValueOrder.compare(b, a) ?? 0) < 0 {
                        losers.append((row, k))
                        continue
                    }
                    if let existing = latest[k] { losers.append((existing, k)) } else { order.append(k) }
                    latest[k] = row
                }
                staged = order.compactMap { latest[$0] }
                for loser in losers {
                    let kept = latest[loser.key]?["_id"].map(DocumentRules.idText) ?? "?"
                    rejects.append(Reject(documentId: loser.row["_id"].map(DocumentRules.idText),
                                          reason: Reject.duplicateKeyReason(kept: kept, keyField: key, key: DocumentRules.idText(loser.key)),
                                          document: loser.row))
                }
                duplicates = losers.count
            }
            let keyField = strategy.keyField
            let stagedKeys = Set(staged.compactMap { row in keyField.flatMap { row[$0] } })
            // As PostgreSQL's: a reload replaces every row but those of documents it rejected.
            let rejectedIds = Set(rejects.compactMap(\.documentId))
            func replaced(_ row: Document) -> Bool {
                if stream.reload, strategy != .replace {
                    // A key read again is replaced whoever held it: one row per key.
                    if let keyField, stagedKeys.contains(row[keyField] ?? .null) { return true }
                    return !rejectedIds.contains(row["_id"].map(DocumentRules.idText) ?? "")
                }
                switch strategy {
                case .replace: return true
                case .append: return false
                case .merge(let key): return stagedKeys.contains(row[key] ?? .null)
                case .incremental(let cursor, let key, _):
                    if stagedKeys.contains(row[key] ?? .null) { return true }
                    guard let cutoff, let value = row[cursor] else { return false }
                    // As PostgreSQL's: the window keeps the rows of documents this load rejected.
                    return (ValueOrder.compare(value, cutoff) ?? -1) >= 0 && !rejectedIds.contains(row["_id"].map(DocumentRules.idText) ?? "")
                }
            }
            let kept = old.filter { !replaced($0) }
            let removedRows = old.filter(replaced)
            let stamped = staged.map { row -> Document in
                var row = row
                row["_run_id"] = .int64(run.runId)
                return row
            }
            let new = kept + stamped
            tables[stream.table] = new
            rejectRows += rejects.map { (run.runId, stream.collection, $0) }
            func content(_ rows: [Document]) -> [Document] {
                rows.map { row in Document(row.fields.filter { $0.name != "_run_id" && !$0.value.isNull }.sorted { $0.name < $1.name }) }
            }
            let added = Self.multisetDifference(content(staged), content(removedRows))
            let removed = Self.multisetDifference(content(removedRows), content(staged))
            var watermarkAfter: Value?
            if let cursor = strategy.cursorField {
                for row in new {
                    guard let value = row[cursor] else { continue }
                    if let existing = watermarkAfter, (ValueOrder.compare(value, existing) ?? 0) <= 0 { continue }
                    watermarkAfter = value
                }
            }
            var outcome = LoadOutcome(rowsLoaded: staged.count, rowsDeleted: removedRows.count, rowsAdded: added,
                                      rowsRemoved: removed, tableRows: new.count, watermarkAfter: watermarkAfter)
            outcome.rowsRejected = duplicates
            return outcome
        }
    }

    static func multisetDifference(_ a: [Document], _ b: [Document]) -> Int {
        var counts: [Document: Int] = [:]
        for row in b { counts[row, default: 0] += 1 }
        var missing = 0
        for row in a {
            if let count = counts[row], count > 0 { counts[row] = count - 1 } else { missing += 1 }
        }
        return missing
    }
}

/// A stream's pending load in a `MemorySink`.
private final class MemoryLoad: StreamLoad {
    let sink: MemorySink
    let stream: StreamConfig
    let run: RunContext
    let watermark: Value?
    let knownSchema = Schema()
    private var staged: [Document] = []
    private var rejects: [Reject] = []
    private var batches = 0

    init(sink: MemorySink, stream: StreamConfig, run: RunContext, watermark: Value?) {
        self.sink = sink
        self.stream = stream
        self.run = run
        self.watermark = watermark
    }

    func write(_ batch: RecordBatch) throws {
        batches += 1
        if let limit = sink.failAfterBatches, batches > limit {
            throw EnergizeError(.sinkFailed, "injected failure after \(limit) batches", context: ["stream": stream.name],
                                retryability: .transient)
        }
        staged += (0..<batch.rowCount).map(batch.row)
        rejects += batch.rejects
    }

    func commit(_ progress: StreamProgress) throws -> LoadOutcome {
        sink.apply(stream: stream, run: run, staged: staged, rejects: rejects, cutoff: progress.cutoff)
    }

    func abort(_ error: any Error, progress: StreamProgress) {
        staged = []
        rejects = []
    }
}
