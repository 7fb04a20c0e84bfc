import Foundation

/// The `energize` executable that `make test` builds, run as a user would: in a folder, with
/// the test servers' connection strings in the environment.
enum EnergizeBinary {
    static let path = EnergizeTechProject.repository.appendingPathComponent(".build/debug/energize")

    /// Runs `energize arguments` in `folder`; returns its exit status and its output (stdout and stderr).
    static func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let running = try start(arguments, in: folder)
        return running.wait()
    }

    /// Runs `energize arguments` in `folder` and parses what it printed on stdout as JSON;
    /// stderr (a driver's warning, say) is kept apart, as a pipe into `jq` would see it.
    /// Throws, with both outputs, when it exits non-zero or stdout is not JSON.
    static func json(_ arguments: [String], in folder: URL) throws -> Any {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("energize-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        let running = try start(arguments, in: folder, standardError: errorHandle)
        let (status, output) = running.wait()
        let printed = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        guard status == 0, let parsed = try? JSONSerialization.jsonObject(with: Data(output.utf8)) else {
            throw JSONOutputError(arguments: arguments, status: status, standardOutput: output, standardError: printed)
        }
        return parsed
    }

    /// `energize` printed no JSON on stdout, or failed.
    struct JSONOutputError: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let standardOutput: String
        let standardError: String
        var description: String {
            "energize \(arguments.joined(separator: " ")) exited \(status); stdout: \(standardOutput)\nstderr: \(standardError)"
        }
    }

    /// Starts `energize arguments` in `folder`; `wait()` collects it. The process is killed
    /// when the returned value is released unwaited (a failing test leaves nothing running).
    /// `standardError`, when given, receives stderr; otherwise it is collected with stdout.
    static func start(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:],
                      standardError: FileHandle? = nil) throws -> Running {
        let process = Process()
        process.executableURL = path
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ENERGIZE_PG_URI"] = try LiveServers.pgURI()
        environment["ENERGIZE_MONGO_URI"] = try LiveServers.mongoURI()
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = standardError ?? output
        try process.run()
        return Running(process: process, output: output)
    }

    /// A started `energize`.
    final class Running {
        let process: Process
        private let output: Pipe
        private var collected = false

        init(process: Process, output: Pipe) {
            self.process = process
            self.output = output
        }

        deinit {
            if !collected, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// Sends `signal` to the process.
        func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// Waits for the end; the exit status (128 + n for a signal n) and everything it printed.
        func wait() -> (status: Int32, output: String) {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            collected = true
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            return (status, String(decoding: data, as: UTF8.self))
        }
    }
}
