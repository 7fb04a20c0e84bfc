internal import CLibPQ
import EnergizeCore

/// What libpq would refuse in a connection string before it connects, said as a configuration
/// mistake: a malformed URI or `key=value` string, an unknown option, a port that is not a number.
package enum ConnectionStringCheck {
    /// The mistake in `connectionString`, or nil when libpq can read it. The message never holds
    /// the string's password (libpq may quote a piece of the string).
    /// - Parameter connectionString: a `postgresql://` URI or `key=value` string.
    package static func problem(in connectionString: String) -> String? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &error) else {
            defer { if let error { PQfreemem(error) } }
            let message = error.map { String(cString: $0) } ?? "libpq cannot read it"
            return Redaction.scrub(message.trimmingCharacters(in: .whitespacesAndNewlines), connectionString: connectionString)
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "port", let value = option.pointee.val.map({ String(cString: $0) }) {
                // A list of ports, one per host; an empty one is the default.
                for port in value.split(separator: ",", omittingEmptySubsequences: false) where !port.isEmpty {
                    guard let number = Int(port), (1...65_535).contains(number) else {
                        return "its port `\(Redaction.scrub(String(port), connectionString: connectionString))` is not a port number (1 to 65535)"
                    }
                }
            }
            option = option.advanced(by: 1)
        }
        return nil
    }
}
