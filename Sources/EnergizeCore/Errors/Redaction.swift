import Foundation

/// Masks the secrets of connection strings, so that a string can go into an error, a log
/// line, a report or the run history.
///
/// Handles both forms energize is given: URIs (`mongodb://user:***@host/db?tlsCertificateKeyFilePassword=***`,
/// `postgresql://user:***@host/db?sslpassword=***`) and libpq `key=value` strings
/// (`host=h password=*** user=u`, the value quoted or not). Option names are compared without
/// case (MongoDB's are case-insensitive).
package enum Redaction {
    /// Options whose value is a secret: libpq's `password` and `sslpassword`; libmongoc's
    /// `tlsCertificateKeyFilePassword`, its deprecated `sslClientCertificateKeyPassword`, and
    /// `authMechanismProperties` (it may carry an `AWS_SESSION_TOKEN`). Any other option whose
    /// name ends in `password` counts too.
    package static let secretOptions: Set<String> = [
        "password", "sslpassword", "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword", "authmechanismproperties",
    ]

    /// Whether an option's value is a secret.
    /// - Parameter name: the option's name, in any case.
    package static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretOptions.contains(lower) || lower.hasSuffix("password")
    }

    /// `text` with every secret replaced by `***`; text without one comes back unchanged.
    /// - Parameter text: a connection URI or a libpq `key=value` connection string.
    /// - Returns: the same string with the password of its user-info part and the value of
    ///   every secret option replaced by `***`.
    package static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return redactKeyValues(text) }
        var masked = text
        let rest = masked[scheme.upperBound...]
        // The user-info part ends at the last `@` of the authority, which ends at the path or query.
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            masked.replaceSubrange(masked.index(after: colon)..<at, with: "***")
        }
        guard let query = masked.firstIndex(of: "?") else { return masked }
        let options = masked[masked.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { option -> String in
            guard let equals = option.firstIndex(of: "="), isSecret(String(option[..<equals])) else { return String(option) }
            return String(option[..<equals]) + "=***"
        }
        return String(masked[...query]) + options.joined(separator: "&")
    }

    /// `message`, a driver's error about `connectionString`, with the string and each of its
    /// secrets masked wherever they appear: libpq, given a string it cannot parse, repeats it.
    /// - Parameters:
    ///   - message: the driver's message.
    ///   - connectionString: the URI or `key=value` string the driver was given.
    package static func scrub(_ message: String, connectionString: String) -> String {
        var scrubbed = message.replacingOccurrences(of: connectionString, with: redact(connectionString))
        for secret in secrets(in: connectionString) where !secret.isEmpty {
            scrubbed = scrubbed.replacingOccurrences(of: secret, with: "***")
        }
        return scrubbed
    }

    /// The values ``redact(_:)`` masks in `text`, as written there (and unquoted, for a quoted
    /// `key=value` value), longest first.
    package static func secrets(in text: String) -> [String] {
        var found: [String] = []
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                found.append(String(rest[rest.index(after: colon)..<at]))
            }
            if let query = text.firstIndex(of: "?") {
                for option in text[text.index(after: query)...].split(separator: "&") {
                    guard let equals = option.firstIndex(of: "="), isSecret(String(option[..<equals])) else { continue }
                    found.append(String(option[option.index(after: equals)...]))
                }
            }
        } else if let regex = try? NSRegularExpression(pattern: #"([A-Za-z_]+)\s*=\s*('(\\'|[^'])*'|\S+)"#) {
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let key = Range(match.range(at: 1), in: text), isSecret(String(text[key])),
                      let value = Range(match.range(at: 2), in: text) else { continue }
                let written = String(text[value])
                found.append(written)
                if written.count >= 2, written.hasPrefix("'"), written.hasSuffix("'") {
                    found.append(String(written.dropFirst().dropLast()).replacingOccurrences(of: "\\'", with: "'"))
                }
            }
        }
        return found.sorted { $0.count > $1.count }
    }

    /// A libpq `key=value` string with the values of secret keys masked.
    private static func redactKeyValues(_ text: String) -> String {
        let pattern = #"([A-Za-z_]+)(\s*=\s*)('(\\'|[^'])*'|\S+)"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        var result = text
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let key = Range(match.range(at: 1), in: text), isSecret(String(text[key])),
                  let whole = Range(match.range, in: result) else { continue }
            result.replaceSubrange(whole, with: String(text[key]) + "=***")
        }
        return result
    }
}
