import Foundation

/// Masks the passwords of connection strings, so that a string can go into an error, a log
/// line or a report.
///
/// Handles both forms energize is given: URIs (`mongodb://user:***@host/db`,
/// `postgresql://user:***@host/db?password=***`) and libpq `key=value` strings
/// (`host=h password=*** user=u`, the value quoted or not).
package enum Redaction {
    /// `text` with every password replaced by `***`; text without one comes back unchanged.
    /// - Parameter text: a connection URI or a libpq `key=value` connection string.
    /// - Returns: the same string with the password of its user-info part, and the value of any
    ///   `password=` parameter, replaced by `***`.
    package static func redact(_ text: String) -> String {
        guard text.contains("://") else {
            return text.replacingOccurrences(of: #"password\s*=\s*('(\\'|[^'])*'|\S+)"#, with: "password=***",
                                             options: .regularExpression)
        }
        var masked = text
        if let scheme = masked.range(of: "://") {
            let rest = masked[scheme.upperBound...]
            // The user-info part ends at the last `@` of the authority, which ends at the path or query.
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                masked.replaceSubrange(masked.index(after: colon)..<at, with: "***")
            }
        }
        return masked.replacingOccurrences(of: #"password=[^&]*"#, with: "password=***", options: .regularExpression)
    }
}
