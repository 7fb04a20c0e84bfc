internal import CLibPQ
import Foundation

/// The rows of a finished statement, copied out of libpq as text.
public struct PGResult: Sendable {
    /// Column names.
    public let columns: [String]
    /// Each row's values as text, `nil` for NULL.
    public let rows: [[String?]]
    /// The number of rows the statement affected (`INSERT`, `DELETE`, `COPY`, …).
    public let affectedRows: Int

    /// The first column of the first row, if any.
    public var scalar: String? { rows.first?.first ?? nil }

    /// Turns a libpq result into a `PGResult` or a `PGError`, and frees it.
    static func check(_ result: OpaquePointer?, connection: OpaquePointer, sql: String?) throws -> PGResult {
        guard let result else {
            throw PGError(PQstatus(connection) == CONNECTION_OK ? .queryFailed : .connectionLost,
                          message: String(cString: PQerrorMessage(connection)), sql: sql)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let lost = PQstatus(connection) != CONNECTION_OK
            throw PGError(lost ? .connectionLost : .queryFailed, message: String(cString: PQresultErrorMessage(result)),
                          sqlState: state, sql: sql)
        }
        if status == PGRES_COPY_IN { return PGResult(columns: [], rows: [], affectedRows: 0) }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append((0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PGResult(columns: columns, rows: rows, affectedRows: affected)
    }
}
