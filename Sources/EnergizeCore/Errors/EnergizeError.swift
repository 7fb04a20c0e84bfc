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
        /// The code's name, as printed (`source failed`).
        public let name: String
        /// A code; two codes with the same name are the same code.
        /// - Parameter name: the code's name, as printed.
        public init(_ name: String) { self.name = name }
        /// The code's name.
        public var description: String { name }

        /// A batch's columns do not match its schema.
        public static let invalidBatch = Code("invalid batch")
        /// A setting is missing or wrong.
        public static let invalidConfiguration = Code("invalid configuration")
        /// The source could not be read.
        public static let sourceFailed = Code("source failed")
        /// The sink could not be written.
        public static let sinkFailed = Code("sink failed")
        /// A stream failed.
        public static let streamFailed = Code("stream failed")
        /// The work was stopped before it ended.
        public static let cancelled = Code("cancelled")
        /// Another run holds the pipeline's lock.
        public static let locked = Code("locked")
        /// The run's lock was lost (its connection ended) before a commit: nothing was committed.
        public static let lockLost = Code("lock lost")
        /// A change source cannot continue after a position (its history is gone, the position is
        /// unknown, the stream ended): only a new snapshot closes the gap.
        public static let resumeImpossible = Code("resume impossible")
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, safe to print (never a password, never bound values).
    public var message: String
    /// Where: `stream`, `collection`, `table`, `sql`, `sqlstate`, … (never secrets).
    public var context: [String: String]
    /// Whether retrying can help.
    public var retryability: Retryability
    /// The lower-level error this one wraps.
    public var underlying: (any Error)?

    /// An error with its code, message and context.
    /// - Parameters:
    ///   - code: what kind of failure it is.
    ///   - message: what went wrong, safe to print (never a password, never bound values).
    ///   - context: where it happened (`stream`, `table`, `sql`, …), never secrets.
    ///   - retryability: whether retrying can help (default terminal).
    ///   - underlying: the lower-level error this one wraps, if any.
    public init(_ code: Code, _ message: String, context: [String: String] = [:],
                retryability: Retryability = .terminal, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.context = context
        self.retryability = retryability
        self.underlying = underlying
    }

    /// The message, then the context as `[key=value, …]`, then the underlying error.
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
    /// Whether retrying the failed work can help.
    var retryability: Retryability { get }
}

extension EnergizeError: RetryClassifying {}
