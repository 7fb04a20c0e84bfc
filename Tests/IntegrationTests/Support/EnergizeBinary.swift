import Foundation

/// The `energize` executable that `make test` builds, run as a user would: in a folder, with
/// the test servers' connection strings in the environment.
enum EnergizeBinary {
    static let path = EnergizeTechProject.repository.appendingPathComponent(".build/debug/energize")

    /// Runs `energize arguments` in `folder`; returns its exit status and its output (stdout and stderr).
    static func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = path
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ENERGIZE_PG_URI"] = try LiveServers.pgURI()
        environment["ENERGIZE_MONGO_URI"] = try LiveServers.mongoURI()
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
