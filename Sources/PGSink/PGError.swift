import EnergizeCore

/// An error from PostgreSQL or libpq: the server's message, its SQLSTATE, and the statement.
public struct PGError: Error, Sendable, CustomStringConvertible, RetryClassifying {
    /// An open set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// Creates a `Code` from its parts.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let connectionFailed = Code("connection failed")
        public static let queryFailed = Code("query failed")
        public static let copyFailed = Code("copy failed")
        public static let connectionLost = Code("connection lost")
    }

    public var code: Code
    /// The server's or libpq's message (libpq never puts the password in it).
    public var message: String
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The statement, without bound values, when there was one.
    public var sql: String?

    /// Creates a `PGError` from its parts.
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

    public var description: String {
        var text = "PostgreSQL \(code): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let sql { text += " in: \(sql.count > 300 ? String(sql.prefix(300)) + "…" : sql)" }
        return text
    }
}

import Foundation
