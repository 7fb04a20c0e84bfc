internal import CLibPQ
import Foundation

extension PGConnection {
    /// Runs a `COPY … FROM STDIN` statement and streams `data` into it.
    ///
    /// On any failure the COPY ends with `PQputCopyEnd(conn, reason)`, so the server aborts
    /// it, and the original error is rethrown.
    /// - Parameters:
    ///   - sql: the `COPY … FROM STDIN` statement.
    ///   - data: the rows in COPY text format (`CopyTextEncoder`).
    /// - Returns: the number of rows copied.
    @discardableResult
    package func copy(_ sql: String, data: [UInt8]) throws -> Int {
        let conn = try connection()
        let started = try PGResult.check(PQexec(conn, sql), connection: conn, sql: sql)
        _ = started
        var failure: PGError?
        data.withUnsafeBufferPointer { buffer in
            var offset = 0
            let chunk = 1 << 20
            while offset < buffer.count {
                let length = min(chunk, buffer.count - offset)
                let sent = buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: length) {
                    PQputCopyData(conn, $0, Int32(length))
                }
                if sent != 1 {
                    failure = PGError(.copyFailed, message: String(cString: PQerrorMessage(conn)), sql: sql)
                    break
                }
                offset += length
            }
        }
        if let failure {
            PQputCopyEnd(conn, "energize: \(failure.message)")
            _ = try? drainResults(conn, sql: sql)
            throw failure
        }
        guard PQputCopyEnd(conn, nil) == 1 else {
            throw PGError(.copyFailed, message: String(cString: PQerrorMessage(conn)), sql: sql)
        }
        return try drainResults(conn, sql: sql)
    }

    /// Reads every pending result of the connection; returns the rows of the last, or throws its error.
    private func drainResults(_ conn: OpaquePointer, sql: String) throws -> Int {
        var firstError: (any Error)?
        var rows = 0
        while let result = PQgetResult(conn) {
            do {
                rows = try PGResult.check(result, connection: conn, sql: sql).affectedRows
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return rows
    }
}
