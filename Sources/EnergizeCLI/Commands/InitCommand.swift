import ArgumentParser
import Foundation

/// `energize init`: writes a commented starter `energize.yml`.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a commented starter energize.yml for the EnergizeTech contract.")

    @Option(help: "Where to write it.")
    var output = "energize.yml"

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        if FileManager.default.fileExists(atPath: output) && !force {
            throw ValidationError("\(output) exists; pass --force to overwrite it")
        }
        try StarterConfig.text.write(toFile: output, atomically: true, encoding: .utf8)
        print("wrote \(output): set source.mongo_uri and destination.pg_uri (or ENERGIZE_MONGO_URI / ENERGIZE_PG_URI), then `energize run`")
    }
}
