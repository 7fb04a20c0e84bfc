import Foundation

/// A project folder of a test's own, holding `energize.yml`: its schemas (named after the
/// pipeline) start empty, and the folder goes when the value does.
final class TemporaryProject {
    let folder: URL

    /// - Parameters:
    ///   - pipeline: the pipeline's name; its four schemas are dropped first.
    ///   - configuration: the text of `energize.yml`.
    init(_ pipeline: String, _ configuration: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-\(pipeline)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try configuration.write(to: folder.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        try LiveServers.freshSchemas(["raw", "staging", "warehouse", "meta"].map { "\(pipeline)_\($0)" }).close()
    }

    /// A project of `pipeline` holding `files` (path → text), its configuration the pipeline's name alone.
    convenience init(_ pipeline: String, files: [String: String]) throws {
        try self.init(pipeline, "pipeline: \(pipeline)\n")
        for (path, text) in files { try write(path, text) }
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes a file of the project.
    func write(_ path: String, _ text: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs `energize` in the project.
    func energize(_ arguments: String...) throws -> (status: Int32, output: String) {
        try EnergizeBinary.run(arguments, in: folder)
    }
}
