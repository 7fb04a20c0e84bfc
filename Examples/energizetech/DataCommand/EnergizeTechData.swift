// energizetech-data: writes the EnergizeTech project's synthetic data into MongoDB — a whole
// dataset (`seed`) or one day of changes (`touch`). Connection and database come from the
// project's energize.yml, ENERGIZE_MONGO_URI, or the flags.
import ArgumentParser
import EnergizeCLI
import EnergizeTech
import Foundation

@main
struct EnergizeTechData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "energizetech-data",
        abstract: "Write synthetic EnergizeTech data into MongoDB.",
        subcommands: [Seed.self, Touch.self])

    /// Where to write.
    struct Target: ParsableArguments {
        @Option(help: "The EnergizeTech project's folder (its energize.yml names the database).")
        var project = "."

        @Option(name: .customLong("mongo-uri"), help: "MongoDB connection string (overrides the file and $ENERGIZE_MONGO_URI).")
        var mongoURI: String?

        @Option(help: "The MongoDB database (overrides the file).")
        var database: String?

        @Flag(help: "Seed even a database that holds collections no seed wrote (they may be real data).")
        var force = false

        func seeder() throws -> SourceSeeder {
            let file = (project as NSString).appendingPathComponent("energize.yml")
            let config = try ConfigReader(file: file).read()
            guard let uri = mongoURI ?? config.mongoURI else {
                throw ValidationError("no MongoDB connection string: set source.mongo_uri in \(file), ENERGIZE_MONGO_URI, or --mongo-uri")
            }
            var seeder = SourceSeeder(uri: uri, database: database ?? config.sourceDatabase)
            seeder.force = force
            return seeder
        }
    }

    struct Seed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop and rewrite the five collections with a deterministic dataset.",
            discussion: "Scale 1: 300 customers, 5,000 sales (with their transactions), 25 products, 20 stores, and the messy cases of the source contract.")

        @OptionGroup var target: Target

        @Option(help: "Dataset size: 300×N customers and 5,000×N sales.")
        var scale = 1

        @Option(help: "Exact number of sales (overrides --scale for sales).")
        var sales: Int?

        @Option(help: "Random seed: the same seed writes the same data.")
        var seed: UInt64 = 42

        func run() throws {
            let seeder = try target.seeder()
            let started = Date()
            var size = SyntheticData.Size(scale: scale)
            if let sales { size.sales = sales }
            let written = try seeder.seed(SyntheticData(size: size, seed: seed))
            let list = ["customers", "products", "stores", "sales", "transactions"].map { "\($0) \(written[$0] ?? 0)" }
            print("seeded \(seeder.database) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(list.joined(separator: ", "))")
        }
    }

    struct Touch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply one day of changes: late status updates, customers who move, a price change, deletes, new documents.")

        @OptionGroup var target: Target

        @Argument(help: "The percentage of records to change.")
        var percent: Double

        @Option(help: "Random seed.")
        var seed: UInt64 = 42

        func run() throws {
            let seeder = try target.seeder()
            let counts = try seeder.touch(DayOfChanges(percent: percent, seed: seed))
            print("touched \(seeder.database): \(counts.inserted) inserted, \(counts.replaced) replaced, \(counts.deleted) deleted")
        }
    }
}
