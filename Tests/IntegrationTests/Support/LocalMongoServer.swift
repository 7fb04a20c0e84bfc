import Foundation
import MongoSource

/// A MongoDB wire-protocol server of a test's own (nx-27017 on a free port, with its own data
/// folder and PID file), for tests that stop it, kill it and start it again. Stopped when released.
final class LocalMongoServer: @unchecked Sendable {
    // @unchecked Sendable: `process` is only touched under `lock`; the rest is immutable.
    /// Its port on 127.0.0.1.
    let port: Int
    /// Its data folder (one SQLite file per database): what survives a kill and a restart.
    let folder: URL
    private let lock = NSLock()
    private var process: Process?

    /// A server not started yet.
    /// - Parameter folder: its data folder, created when missing.
    init(folder: URL) throws {
        port = try Self.freePort()
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { stop() }

    /// A connection string with short timeouts: a stopped server fails a read in seconds.
    var uri: String { "mongodb://127.0.0.1:\(port)/?serverSelectionTimeoutMS=1500&connectTimeoutMS=1500&socketTimeoutMS=5000" }

    /// Starts the server; with `wait`, returns once it accepts connections (up to 30 s).
    func start(wait: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec \"$(bash scripts/nx-python.sh)\" scripts/nx_mongo_server.py --data-dir \(folder.path) --host 127.0.0.1 -p \(port) --pid-file \(folder.path)/pid --log-file \(folder.path)/log"]
        process.currentDirectoryURL = EnergizeTechProject.repository
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        guard wait else { return }
        for _ in 0..<60 {
            if (try? MongoClient(uri: uri).ping()) != nil { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw LiveServers.Missing(description: "the MongoDB wire-protocol server on port \(port) did not start")
    }

    /// Kills the server at once (SIGKILL), as a crash or a pulled cable would.
    func kill() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the server (SIGTERM, then SIGKILL after a grace) and waits for it to end.
    func stop() {
        if let process = lock.withLock({ self.process }) { LiveServers.stop(process) }
    }

    /// A free TCP port on 127.0.0.1.
    static func freePort() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
