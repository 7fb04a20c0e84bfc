import EnergizeCore
import Foundation

extension PGSink {
    /// Where a followed stream resumes: the change stream's token committed with its last
    /// micro-batch, and when that batch's last change happened (ms since the epoch); nil when the
    /// stream was never followed (or its position was forgotten for a resync).
    /// - Parameters:
    ///   - pipeline: the pipeline's name.
    ///   - stream: the stream's name.
    /// - Throws: `PGError` when the database cannot be read.
    public func resumePoint(pipeline: String, stream: String) throws -> (token: Data, time: Int64?)? {
        let connection = try PGConnection(connectionString, applicationName: "energize \(pipeline) stream \(stream)")
        defer { connection.close() }
        return try meta.resumePoint(connection, pipeline: pipeline, stream: stream)
    }

    /// The run a micro-batch of a followed stream writes as: `followRun` with a new number from the
    /// run ids' sequence, so its rows are stamped after every run and batch before it.
    /// - Parameter followRun: the follow command's run (its pipeline and start).
    /// - Throws: `PGError` when the database cannot be reached.
    public func batchRun(of followRun: RunContext) throws -> RunContext {
        let connection = try PGConnection(connectionString, applicationName: "energize \(followRun.pipeline) follow")
        defer { connection.close() }
        return RunContext(runId: try meta.nextStamp(connection), pipeline: followRun.pipeline, startedAt: followRun.startedAt)
    }

    /// Forgets where a followed stream resumes, before a resync takes a new snapshot and token.
    /// - Parameters:
    ///   - pipeline: the pipeline's name.
    ///   - stream: the stream's name.
    /// - Throws: `PGError` when the database cannot be written.
    public func forgetResumePoint(pipeline: String, stream: String) throws {
        let connection = try PGConnection(connectionString, applicationName: "energize \(pipeline) stream \(stream)")
        defer { connection.close() }
        try meta.forgetResumePoint(connection, pipeline: pipeline, stream: stream)
    }
}
