import FlyingSocks
import Foundation

/// What `energize serve`'s HTTP server may print: its warnings and its own failures (a port it
/// cannot listen on), on stderr, prefixed `energize serve:`. Not a line per request (FlyingFox's
/// default), nor a connection's error (a client that hung up: a page that fails is a 500 the
/// handler writes), nor anything once the command stops it (the server then reports its own
/// cancellation as a failure).
final class ServerLog: Logging, @unchecked Sendable {
    // @unchecked Sendable: `stopping` is only touched under `lock`.
    private let lock = NSLock()
    private var stopping = false

    /// From now on, nothing is printed: the server is being stopped on purpose.
    func stop() { lock.withLock { stopping = true } }

    func logDebug(_ debug: @autoclosure () -> String) {}
    func logInfo(_ info: @autoclosure () -> String) {}
    func logWarning(_ warning: @autoclosure () -> String) { write("warning: " + warning()) }
    func logError(_ error: @autoclosure () -> String) {}
    func logCritical(_ critical: @autoclosure () -> String) { write("error: " + critical()) }

    private func write(_ line: String) {
        guard !lock.withLock({ stopping }) else { return }
        FileHandle.standardError.write(Data("energize serve: \(line)\n".utf8))
    }
}
