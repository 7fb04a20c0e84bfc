import ArgumentParser
import Foundation

/// `energize init`: scaffolds a project folder.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a project: energize.yml, a contract, models, data tests and seed documents.",
        discussion: """
            Writes a small working project (orders with a nested customer and an array of lines): \
            `energize seed` writes its seed documents into MongoDB, `energize run` loads and models them. \
            Rename and extend it.
            """ + " " + ExitStatus.help)

    @Argument(help: "The project's folder (created when missing).")
    var folder = "."

    @Option(help: "The pipeline's name (default: the folder's name).")
    var pipeline: String?

    @Flag(help: "Overwrite files that exist.")
    var force = false

    func run() throws {
        let root = URL(fileURLWithPath: folder)
        let name = pipeline ?? String(root.standardizedFileURL.lastPathComponent.lowercased()
            .map { $0.isLetter || $0.isNumber ? $0 : "_" })
        let files = ProjectScaffold.files(pipeline: name)
        let existing = files.map(\.path).filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        if !existing.isEmpty && !force {
            throw ConfigurationMissing("\(root.appendingPathComponent(existing[0]).path) exists; pass --force to overwrite the scaffold's files")
        }
        for file in files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
        }
        // The steps run in the project's folder: say how to get there when it is not this one.
        let here = root.standardizedFileURL.path == URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        print("""
            wrote project \(name) in \(root.standardizedFileURL.path): \(files.map(\.path).joined(separator: ", "))
            next: set source.mongo_uri and destination.pg_uri in energize.yml (or ENERGIZE_MONGO_URI / ENERGIZE_PG_URI), then
            \(here ? "" : "  cd \(folder)\n")  energize seed      # write seeds/*.json into MongoDB (try it on a test database)
              energize run       # extract-load, build the models, run the data tests
            """)
    }
}
