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
