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

    /// A URI's scheme, lowercased (`postgresql` for `postgresql://…`); nil for a libpq
    /// `key=value` string (which may hold `://` in a value, as in `application_name=http://x`).
    /// - Parameter text: a connection string.
    package static func scheme(of text: String) -> String? {
        guard let separator = text.range(of: "://") else { return nil }
        return uriScheme(text, separator).map { $0.lowercased() }
    }

    /// The scheme before `separator` when it is one (a letter, then letters, digits, `+ - .`).
    private static func uriScheme(_ text: String, _ separator: Range<String.Index>) -> Substring? {
        let scheme = text[..<separator.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return scheme
    }

    /// Where a URI's text after `scheme://` starts; nil for a libpq `key=value` string.
    private static func afterScheme(_ text: String) -> Substring? {
        guard let separator = text.range(of: "://"), uriScheme(text, separator) != nil else { return nil }
        return text[separator.upperBound...]
    }

    /// `text` with every secret replaced by `***`; text without one comes back unchanged.
    /// - Parameter text: a connection URI or a libpq `key=value` connection string.
    /// - Returns: the same string with the password of its user-info part and the value of
    ///   every secret option replaced by `***`.
    package static func redact(_ text: String) -> String {
        var masked = text
        guard afterScheme(text) != nil else {
            // `key = value` becomes `key=***`.
            for match in keyValues(in: text).reversed() where isSecret(String(text[match.key])) {
                masked.replaceSubrange(match.key.upperBound..<match.value.upperBound, with: "=***")
            }
            return masked
        }
        let ranges = secretRanges(in: text)
        for range in ranges.reversed() { masked.replaceSubrange(range, with: "***") }
        // A secret written again elsewhere in the string (as another option's value) is masked there too.
        for secret in ranges.map({ String(text[$0]) }) where secret.count >= 6 {
            masked = masked.replacingOccurrences(of: secret, with: "***")
        }
        return masked
    }

    /// The `key=value` pairs of a libpq string: a value is quoted, or runs over the following
    /// words up to the next `key=` (libpq would stop at the first space, then repeat the next
    /// word in its error).
    private static func keyValues(in text: String) -> [(key: Range<String.Index>, value: Range<String.Index>)] {
        guard let regex = try? NSRegularExpression(pattern: #"([A-Za-z_]+)\s*=\s*('(?:\\'|[^'])*'|\S+(?:\s+(?![A-Za-z_]+\s*=)[^\s=']+)*)"#) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let key = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { return nil }
            return (key, value)
        }
    }

    /// `message`, a driver's error about `connectionString`, with the string and each of its
    /// secrets masked wherever they appear: libpq, given a string it cannot parse, repeats it, or
    /// a word of it. A secret under six characters is masked only where it stands as a word (not
    /// inside a longer one), so a short password does not mask every `a` of the message.
    /// - Parameters:
    ///   - message: the driver's message.
    ///   - connectionString: the URI or `key=value` string the driver was given.
    package static func scrub(_ message: String, connectionString: String) -> String {
        var scrubbed = message.replacingOccurrences(of: connectionString, with: redact(connectionString))
        for secret in secrets(in: connectionString) where !secret.isEmpty {
            if secret.count >= 6 {
                scrubbed = scrubbed.replacingOccurrences(of: secret, with: "***")
            } else if let word = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9])" + NSRegularExpression.escapedPattern(for: secret) + "(?![A-Za-z0-9])") {
                scrubbed = word.stringByReplacingMatches(in: scrubbed, range: NSRange(scrubbed.startIndex..., in: scrubbed), withTemplate: "***")
            }
        }
        return scrubbed
    }

    /// Whether a URI's password seems to hold a character it should have percent-encoded (`@`,
    /// `/`, `?`, `#`): the drivers then read a piece of it as the host, port or path, and repeat
    /// that piece in their errors. Either the part before the first `/`, `?` or `#` holds two
    /// `@`, or it holds none and reads `user:text` (text that is no port) while an `@` comes later,
    /// or `user:digits` while the path holds an `@` followed by a host and a path (`u:12/34@h/db`).
    /// - Parameter uri: a connection URI (false for a libpq `key=value` string).
    package static func hasUnencodedPassword(_ uri: String) -> Bool {
        guard let rest = afterScheme(uri) else { return false }
        let end = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        let authority = rest[..<end]
        let ats = authority.filter { $0 == "@" }.count
        if ats >= 2 { return true }
        guard ats == 0, rest[end...].contains("@") else { return false }
        // The first host, without an IPv6 literal's brackets: `user:text` where a port would be.
        let first = authority.split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
        guard !first.hasPrefix("["), let colon = first.firstIndex(of: ":") else { return false }
        let after = first[first.index(after: colon)...]
        if after.isEmpty || !after.allSatisfy(\.isASCII) || !after.allSatisfy(\.isNumber) { return true }
        // `user:12/34@host/db` reads as a port too: the `@` comes in the path, before the query,
        // and a host and path follow it (a database name holding an `@`, `h:5432/my@db`, has none).
        let path = rest[end...].prefix { $0 != "?" }
        guard rest[end] == "/", let at = path.firstIndex(of: "@") else { return false }
        return path[path.index(after: at)...].contains { "/:".contains($0) }
    }

    /// The values ``redact(_:)`` masks in `text`, as written there, unquoted (a quoted `key=value`
    /// value), percent-decoded (a URI's), and word by word (a value of several words), longest first.
    /// A URI's password also gives its pieces between the characters a URI splits on (`p/a?b` gives
    /// `p/a`, `a?b`, `p`, `a`, `b`…): a driver that misread it repeats one of them.
    package static func secrets(in text: String) -> [String] {
        var found: [String] = []
        let isURI = afterScheme(text) != nil
        func add(_ value: String) {
            if !value.isEmpty, !found.contains(value) { found.append(value) }
        }
        for range in secretRanges(in: text) {
            let written = String(text[range])
            add(written)
            if written.count >= 2, written.hasPrefix("'"), written.hasSuffix("'") {
                add(String(written.dropFirst().dropLast()).replacingOccurrences(of: "\\'", with: "'"))
            }
            if let decoded = written.removingPercentEncoding { add(decoded) }
            let words = written.split(whereSeparator: \.isWhitespace)
            if words.count > 1 { words.map(String.init).forEach(add) }
            if isURI {
                let cuts = [written.startIndex] + written.indices.filter { "/?#@:&=".contains(written[$0]) } + [written.endIndex]
                for i in cuts.indices.dropLast() {
                    let from = i == 0 ? cuts[i] : written.index(after: cuts[i])
                    for end in cuts[(i + 1)...] where from < end { add(String(written[from..<end])) }
                }
            }
        }
        return found.sorted { $0.count > $1.count }
    }

    /// Where the secrets of `text` are, in order and apart.
    ///
    /// A URI's password runs from the first `:` of its user-info to the `@` that ends it: the last
    /// `@` before the first `/`, `?` or `#` (an `@`, `&` or `=` the password should have encoded,
    /// `u:p@ss&x=1@h`, is masked with it). When the password seems to hold a `/`, `?` or `#` too
    /// (``hasUnencodedPassword(_:)``: refused before any driver reads it), the last `@` of all ends
    /// it, masking more rather than less. The options start at the first `?` after the user-info;
    /// an option's value runs to the next `&`. For a libpq `key=value` value, see `keyValues(in:)`.
    static func secretRanges(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        if let rest = afterScheme(text) {
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            var userInfoEnd = rest[..<authorityEnd].lastIndex(of: "@")
            if userInfoEnd == nil, hasUnencodedPassword(text) { userInfoEnd = rest.lastIndex(of: "@") }
            if let at = userInfoEnd, let colon = rest[..<at].firstIndex(of: ":"), rest.index(after: colon) < at {
                ranges.append(rest.index(after: colon)..<at)
            }
            let query = rest[(userInfoEnd ?? rest.startIndex)...].firstIndex(of: "?")
            if let query, let regex = try? NSRegularExpression(pattern: #"[?&]([A-Za-z_]+)=([^&]*)"#) {
                for match in regex.matches(in: text, range: NSRange(query..., in: text)) {
                    guard let key = Range(match.range(at: 1), in: text), isSecret(String(text[key])),
                          let value = Range(match.range(at: 2), in: text), !value.isEmpty else { continue }
                    ranges.append(value)
                }
            }
        } else {
            ranges = keyValues(in: text).filter { isSecret(String(text[$0.key])) }.map(\.value)
        }
        // Sorted and merged (a password with an unencoded `?` can hold what reads as an option).
        var merged: [Range<String.Index>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
