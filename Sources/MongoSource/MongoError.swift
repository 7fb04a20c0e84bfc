internal import CMongoC
import EnergizeCore

/// An error from libmongoc or libbson, with the library's own message and what we were doing.
public struct MongoError: Error, Sendable, CustomStringConvertible, RetryClassifying {
    /// What energize was doing when the error happened.
    public var operation: String
    /// libmongoc's error domain (`bson_error_t.domain`), 0 when the error is energize's own.
    public var domain: UInt32
    /// libmongoc's error code within its domain (`bson_error_t.code`), 0 when the error is energize's own.
    public var code: UInt32
    /// libmongoc's message (it never holds the URI's password).
    public var message: String
    /// Whether retrying can help: transient when the server could not be reached, terminal for
    /// authentication and for everything else.
    public var retryability: Retryability

    /// An error of energize's own, or one whose libmongoc domain and code are known.
    /// - Parameters:
    ///   - operation: what energize was doing (`ping mongodb://…`, `reading seeds/x.json`).
    ///   - domain: libmongoc's error domain, 0 for energize's own errors.
    ///   - code: libmongoc's error code, 0 for energize's own errors.
    ///   - message: what went wrong, safe to print.
    ///   - retryability: whether retrying can help (default terminal).
    public init(operation: String, domain: UInt32 = 0, code: UInt32 = 0, message: String, retryability: Retryability = .terminal) {
        self.operation = operation
        self.domain = domain
        self.code = code
        self.message = message
        self.retryability = retryability
    }

    init(operation: String, error: UnsafePointer<bson_error_t>) {
        let domain = energize_error_domain(error)
        let code = energize_error_code(error)
        let transient = domain == UInt32(MONGOC_ERROR_STREAM.rawValue)
            || domain == UInt32(MONGOC_ERROR_SERVER_SELECTION.rawValue)
            || (domain == UInt32(MONGOC_ERROR_CLIENT.rawValue) && code != UInt32(MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue))
        let message = String(cString: energize_error_message(error))
        // A host name that does not resolve will not resolve on a retry either: a typo in the URI.
        let unknownHost = message.contains("Failed to resolve")
        self.init(operation: operation, domain: domain, code: code, message: message,
                  retryability: transient && !unknownHost ? .transient : .terminal)
    }

    /// `MongoDB: <operation> failed: <message>`, with the domain and code when libmongoc gave them.
    public var description: String {
        "MongoDB: \(operation) failed: \(message)" + (domain == 0 ? "" : " (domain \(domain), code \(code))")
    }
}

/// Calls `body` with a zeroed `bson_error_t` that it may fill.
func withBSONError<T>(_ body: (UnsafeMutablePointer<bson_error_t>) throws -> T) rethrows -> T {
    let error = energize_error_new()!
    defer { bson_free(error) }
    return try body(error)
}
