import PGSink
import Testing

/// A connection string libpq cannot parse fails without a server, and the error keeps none of
/// its secrets (libpq's own message repeats the string).
@Suite struct ConnectionErrorTests {
    @Test(arguments: ["mongodb://bob:Hunter2secret@127.0.0.1:1/x", "host=127.0.0.1 password=Hunter2secret port"])
    func anUnparsableStringFailsWithoutItsPassword(connectionString: String) {
        do {
            _ = try PGConnection(connectionString)
            Issue.record("connected with \(connectionString)")
        } catch {
            let text = "\(error)"
            #expect(text.contains("***"), "\(text)")
            #expect(!text.contains("Hunter2secret"), "\(text)")
        }
    }
}
