import Foundation

/// Applies a change stream's events to a stream's table as micro-batches: each batch in one
/// transaction of the sink with the position the stream resumes from, so a restart continues
/// exactly after the last committed batch (at-least-once delivery, exactly-once effect).
///
/// Within a batch the last event of each document wins: a document inserted, updated, then deleted
/// is deleted; one deleted then inserted again is written. Documents are checked against the
/// stream's contract as a batch load checks them (what breaks it goes to the rejects), and written
/// by `_id`: a row per document, replaced when the document changes.
public struct ChangeApplier: Sendable {
    /// The configured stream: its table, contract and rules (its load strategy is not used).
    public var stream: StreamConfig
    /// Where the rows go.
    public var sink: any Sink
    /// Batch size and column limit of the batches written.
    public var settings: PipelineSettings

    /// An applier for one stream.
    /// - Parameters:
    ///   - stream: the configured stream.
    ///   - sink: the sink writing its table.
    ///   - settings: batch size and column limit.
    public init(stream: StreamConfig, sink: any Sink, settings: PipelineSettings = PipelineSettings()) {
        self.stream = stream
        self.sink = sink
        self.settings = settings
    }

    /// The stream as its changes are loaded: into the same table, merged by `_id`.
    var loadStream: StreamConfig {
        StreamConfig(stream.name, collection: stream.collection, table: stream.table, strategy: .merge(key: "_id"),
                     contract: stream.contract, allowsExtraFields: stream.allowsExtraFields)
    }

    /// What one applied batch did.
    public struct BatchReport: Sendable, Hashable {
        /// Events in the batch.
        public var events: Int
        /// Documents written (the last event of their key inserted, updated or replaced them).
        public var written: Int
        /// Documents deleted.
        public var deleted: Int
        /// Documents that broke the contract (in the rejects, not the table).
        public var rejected: Int
        /// What the load did to the table.
        public var outcome: LoadOutcome
    }

    /// Applies `events` and `resumeToken` in one transaction.
    /// - Parameters:
    ///   - events: the events, in the order the stream gave them; only document changes (see
    ///     ``ChangeEvent/changesDocument``).
    ///   - resumeToken: where the stream resumes after them (the source's bytes).
    ///   - run: the run the rows are stamped with.
    /// - Returns: what the batch did.
    /// - Throws: the sink's error (the batch rolled back: nothing of it committed), or
    ///   `EnergizeError` for an event that changes no document.
    @discardableResult
    public func apply(_ events: [ChangeEvent], resumeToken: Data, run: RunContext) throws -> BatchReport {
        var last: [Value: ChangeEvent] = [:]
        var order: [Value] = []
        for event in events {
            guard event.changesDocument else {
                throw EnergizeError(.invalidBatch, "stream \(stream.name): a \(event.operation.rawValue) event changes no document and ends the change stream")
            }
            guard let key = event.key else { continue }
            if last.updateValue(event, forKey: key) == nil { order.append(key) }
        }
        // A document gone by the time its update was looked up is deleted (its delete follows).
        let written = order.compactMap { last[$0]?.document }
        let deleted = order.filter { last[$0]?.document == nil }
        guard let load = try sink.openLoad(for: loadStream, run: run) as? any ChangeApplying else {
            throw EnergizeError(.sinkFailed, "stream \(stream.name): the sink cannot apply changes (no deletes by key)")
        }
        var progress = StreamProgress()
        progress.startedAt = Int64(Date().timeIntervalSince1970 * 1000)
        progress.resumeToken = resumeToken
        progress.resumeTokenTime = events.compactMap(\.clusterTime).max()
        progress.changesApplied = events.count
        do {
            var builder = RecordBatchBuilder(known: load.knownSchema, rules: stream.rules, columnLimit: settings.columnLimit)
            for document in written {
                builder.append(document)
                if builder.bufferedRows + builder.bufferedRejects >= settings.batchSize || builder.bufferedBytes >= settings.batchBytes {
                    let batch = builder.flush()
                    progress.rowsRejected += batch.rejects.count
                    try load.write(batch)
                }
            }
            let batch = builder.flush()
            progress.rowsRejected += batch.rejects.count
            try load.write(batch)
            try load.delete(keys: deleted)
            progress.rowsRead = written.count
            let outcome = try load.commit(progress)
            return BatchReport(events: events.count, written: written.count - progress.rowsRejected, deleted: deleted.count,
                               rejected: progress.rowsRejected, outcome: outcome)
        } catch {
            load.abort(error, progress: progress)
            throw error
        }
    }
}
