import EnergizeCore

/// An error from PostgreSQL or libpq: the server's message, its SQLSTATE, and the statement.
public struct PGError: Error, Sendable, CustomStringConvertible, RetryClassifying {
    /// An open set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, as printed (`query failed`).
        public let name: String
        /// A code; two codes with the same name are the same code.
        /// - Parameter name: the code's name, as printed.
        public init(_ name: String) { self.name = name }
        /// The code's name.
        public var description: String { name }

        /// The connection could not be opened.
        public static let connectionFailed = Code("connection failed")
        /// The server refused or failed a statement.
        public static let queryFailed = Code("query failed")
        /// Sending COPY data failed.
        public static let copyFailed = Code("copy failed")
        /// The connection broke or was closed.
        public static let connectionLost = Code("connection lost")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The server's or libpq's message (a connection's secrets masked: libpq repeats a string it cannot parse).
    public var message: String
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The statement, without bound values, when there was one.
    public var sql: String?

    /// An error with the server's or libpq's message.
    /// - Parameters:
    ///   - code: what kind of failure it is.
    ///   - message: the server's or libpq's message (surrounding white space is trimmed).
    ///   - sqlState: the five-character SQLSTATE, when the server sent one.
    ///   - sql: the statement, without bound values, when there was one.
    public init(_ code: Code, message: String, sqlState: String? = nil, sql: String? = nil) {
        self.code = code
        self.message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        self.sqlState = sqlState
        self.sql = sql
    }

    /// Connection trouble, a server shutting down, serialization failures and deadlocks are
    /// transient; authentication, syntax, constraint and data errors are not.
    public var retryability: Retryability {
        if code == .connectionLost { return .transient }
        guard let sqlState else { return code == .connectionFailed && !message.contains("password") && !message.contains("authentication") ? .transient : .terminal }
        if sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") || sqlState == "40001" || sqlState == "40P01" || sqlState == "53300" {
            return .transient
        }
        return .terminal
    }

    /// `PostgreSQL <code>: <message>`, then the SQLSTATE and the first 300 characters of the statement.
    public var description: String {
        var text = "PostgreSQL \(code): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let sql { text += " in: \(sql.count > 300 ? String(sql.prefix(300)) + "…" : sql)" }
        return text
    }
}

import Foundation
