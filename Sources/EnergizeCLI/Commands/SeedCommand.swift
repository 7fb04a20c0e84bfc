import ArgumentParser
import EnergizeTech
import Foundation

/// `energize seed`: writes synthetic EnergizeTech data, or a day of changes, into MongoDB.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write a deterministic synthetic EnergizeTech dataset into MongoDB.",
        discussion: """
            Without --touch, drops and rewrites the five collections (scale 1: 300 customers, \
            5,000 sales). With --touch PCT, applies one day of changes to PCT% of the records: \
            late status updates, customers who move, a price change, deletes and new documents.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Dataset size: 300×N customers and 5,000×N sales.")
    var scale = 1

    @Option(help: "Exact number of sales (overrides --scale for sales).")
    var sales: Int?

    @Option(help: "Random seed: the same seed writes the same data.")
    var seed: UInt64 = 42

    @Option(help: "Apply one day of changes to this percentage of records instead of seeding.")
    var touch: Double?

    func run() async throws {
        let config = try options.load()
        let seeder = SourceSeeder(uri: try config.requireMongo(), database: config.database)
        let started = Date()
        if let touch {
            let counts = try seeder.touch(DayOfChanges(percent: touch, seed: seed))
            print("touched \(config.database): \(counts.inserted) inserted, \(counts.replaced) replaced, \(counts.deleted) deleted")
            return
        }
        var size = SyntheticData.Size(scale: scale)
        if let sales { size.sales = sales }
        let written = try seeder.seed(SyntheticData(size: size, seed: seed))
        let list = ["customers", "products", "stores", "sales", "transactions"].map { "\($0) \(written[$0] ?? 0)" }
        print("seeded \(config.database) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(list.joined(separator: ", "))")
    }
}
