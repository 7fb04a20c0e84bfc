import Foundation

/// Runs one stream: opens its load, extracts on a second thread into a bounded queue,
/// loads batch after batch, and commits — or rolls back and reports why.
struct StreamRunner: Sendable {
    let stream: StreamConfig
    let source: any Source
    let sink: any Sink
    let context: RunContext
    let settings: PipelineSettings
    let onEvent: @Sendable (PipelineEvent) -> Void

    /// Runs the stream, and again after a transient failure as the retry policy allows
    /// (not once a stop was requested); blocking.
    func runWithRetries(stop: StopRequest) -> StreamReport {
        var attempt = 1
        while true {
            var report = run()
            report.attempts = attempt
            guard report.status == .failed, report.retryability == .transient, attempt <= settings.retry.retries,
                  !stop.isRequested else { return report }
            let delay = settings.retry.delay(beforeRetry: attempt)
            onEvent(.streamRetrying(stream: stream.name, attempt: attempt, delaySeconds: delay, error: report.error ?? ""))
            Thread.sleep(forTimeInterval: delay)
            attempt += 1
        }
    }

    /// Runs the stream once on the calling thread (blocking) and returns its report.
    func run() -> StreamReport {
        let started = ContinuousClock.now
        var progress = StreamProgress()
        progress.startedAt = Int64(Date().timeIntervalSince1970 * 1000)
        var watermark: Value?
        var load: (any StreamLoad)?
        do {
            let opened = try sink.openLoad(for: stream, run: context)
            load = opened
            watermark = opened.watermark
            // A reload reads the whole collection (see `StreamConfig.reload`).
            progress.cutoff = stream.reload ? nil : stream.strategy.cutoff(watermark: watermark)
            let request = ExtractRequest(stream: stream, cursorFloor: progress.cutoff)
            let queue = BoundedQueue<PreparedBatch>(depth: settings.queueDepth)
            let extraction = Extraction(request: request, source: source, known: opened.knownSchema,
                                        settings: settings, preparation: opened.preparation, queue: queue, onEvent: onEvent)
            let thread = Thread { extraction.run() }
            thread.stackSize = 8 << 20
            thread.start()
            do {
                while let batch = try queue.take() {
                    try opened.write(prepared: batch)
                    progress.rowsRead += batch.rowCount + batch.rejects.count
                    progress.rowsRejected += batch.rejects.count
                    onEvent(.streamProgress(stream: stream.name, rowsRead: progress.rowsRead, rowsRejected: progress.rowsRejected))
                }
            } catch {
                queue.cancel()
                throw error
            }
            let outcome = try opened.commit(progress)
            let report = StreamReport(stream: stream.name, strategy: stream.loadSummary, status: .succeeded,
                                      rowsRead: progress.rowsRead, rowsRejected: progress.rowsRejected + outcome.rowsRejected,
                                      watermarkBefore: watermark, cutoff: progress.cutoff, outcome: outcome,
                                      durationSeconds: started.duration(to: .now).seconds,
                                      maxRejectRatio: settings.maxRejectRatio)
            onEvent(.streamFinished(report))
            return report
        } catch {
            load?.abort(error, progress: progress)
            let report = StreamReport(stream: stream.name, strategy: stream.loadSummary, status: .failed,
                                      rowsRead: progress.rowsRead, rowsRejected: progress.rowsRejected,
                                      watermarkBefore: watermark, cutoff: progress.cutoff, outcome: nil,
                                      durationSeconds: started.duration(to: .now).seconds,
                                      error: "stream \(stream.name): \(error)",
                                      retryability: (error as? any RetryClassifying)?.retryability ?? .terminal)
            onEvent(.streamFinished(report))
            return report
        }
    }
}

/// The extraction side of a stream: reads documents, builds batches, queues them.
private struct Extraction: Sendable {
    let request: ExtractRequest
    let source: any Source
    let known: Schema
    let settings: PipelineSettings
    let preparation: BatchPreparation
    let queue: BoundedQueue<PreparedBatch>
    let onEvent: @Sendable (PipelineEvent) -> Void

    func run() {
        do {
            let reader = try source.openReader(request)
            onEvent(.streamStarted(stream: request.stream.name, estimatedCount: reader.estimatedCount))
            var builder = RecordBatchBuilder(known: known, rules: request.stream.rules, columnLimit: settings.columnLimit)
            while let document = try reader.next() {
                builder.append(document)
                if builder.bufferedRows + builder.bufferedRejects >= settings.batchSize || builder.bufferedBytes >= settings.batchBytes {
                    try queue.put(preparation.prepare(builder.flush()))
                }
            }
            if builder.bufferedRows + builder.bufferedRejects > 0 { try queue.put(preparation.prepare(builder.flush())) }
            queue.finish()
        } catch {
            queue.finish(error: error)
        }
    }
}
