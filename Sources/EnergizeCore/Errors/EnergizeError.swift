/// Whether retrying the failed work can help.
public enum Retryability: String, Sendable, Hashable {
    /// A passing condition (connection refused, server restarting): retry with back-off.
    case transient
    /// Retrying cannot help (bad credentials, bad config, bad data).
    case terminal
}

/// An error every energize module can throw or wrap: a code, a message safe to print,
/// the context it happened in, and whether retrying can help.
public struct EnergizeError: Error, Sendable, CustomStringConvertible {
    /// An open set of error codes; new ones can be added without breaking anybody.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// Creates a `Code` from its parts.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidBatch = Code("invalid batch")
        public static let invalidConfiguration = Code("invalid configuration")
        public static let sourceFailed = Code("source failed")
        public static let sinkFailed = Code("sink failed")
        public static let streamFailed = Code("stream failed")
        public static let cancelled = Code("cancelled")
        public static let locked = Code("locked")
    }

    public var code: Code
    /// What went wrong, safe to print (never a password, never bound values).
    public var message: String
    /// Where: `stream`, `collection`, `table`, `sql`, `sqlstate`, … (never secrets).
    public var context: [String: String]
    public var retryability: Retryability
    /// The lower-level error this one wraps.
    public var underlying: (any Error)?

    /// Creates an `EnergizeError` from its parts.
    public init(_ code: Code, _ message: String, context: [String: String] = [:],
                retryability: Retryability = .terminal, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.context = context
        self.retryability = retryability
        self.underlying = underlying
    }

    public var description: String {
        var text = message
        if !context.isEmpty {
            text += " [" + context.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "]"
        }
        if let underlying { text += ": \(underlying)" }
        return text
    }
}

/// An error that knows whether retrying can help.
public protocol RetryClassifying: Error {
    var retryability: Retryability { get }
}

extension EnergizeError: RetryClassifying {}
