import ArgumentParser
import EnergizeCore
import Foundation
import MongoSource

/// `energize seed`: writes a project's example documents into MongoDB.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write the project's seed documents (seeds/<collection>.json) into MongoDB.",
        discussion: """
            Each file seeds/<collection>.json holds MongoDB Extended JSON documents: one JSON array, \
            or one document per line. The collection's content becomes exactly the file's (it is \
            dropped first); collections without a file are left alone. --from reads another folder \
            (e.g. a later day of the same collections). A database holding collections no seed wrote \
            is refused unless --force.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "The folder of <collection>.json files (default: the project's seeds folder).")
    var from: String?

    @Flag(help: "Seed even a database that holds collections no seed wrote (they may be real data).")
    var force = false

    func run() async throws {
        let config = try options.load()
        let folder = from.map { URL(fileURLWithPath: $0).path } ?? config.path(config.seedsDirectory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CLIError.failed("cannot read the seeds folder \(folder): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw CLIError.failed("no <collection>.json files in \(folder)") }
        var loaded: [(String, [Document])] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CLIError.failed("cannot read \(path): \(error.localizedDescription)")
            }
            loaded.append((String(name.dropLast(".json".count)), try ExtendedJSON.documents(text, source: path)))
        }
        let client = try MongoClient(uri: try config.requireMongo())
        try client.ping()
        try SeedMarker.check(client, database: config.sourceDatabase, force: force)
        var replaced: [String] = []
        for (collection, documents) in loaded {
            let target = client.collection(collection, in: config.sourceDatabase)
            // What the drop takes away is said, not only what the seed writes.
            let before = try target.count()
            if before > 0 { replaced.append("\(collection) \(before)") }
            try target.drop()
            if !documents.isEmpty { try target.insertMany(documents) }
        }
        try SeedMarker.mark(client, database: config.sourceDatabase, collections: loaded.map(\.0))
        print("seeded \(config.sourceDatabase): " + loaded.map { "\($0.0) \($0.1.count)" }.joined(separator: ", ")
              + (replaced.isEmpty ? "" : " (replacing the documents there were: " + replaced.joined(separator: ", ") + ")"))
    }
}
