@testable import EnergizeCLI
import EnergizeCore
import Foundation
import PGSink
import Warehouse

/// The EnergizeTech example project (`Examples/energizetech`): its streams and contracts, and
/// its models compiled for schemas of a test's own.
enum EnergizeTechProject {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let folder = repository.appendingPathComponent("Examples/energizetech")

    /// The project's configuration as its energize.yml says (no environment overrides).
    static func config() throws -> EnergizeConfig {
        try ConfigReader(file: folder.appendingPathComponent("energize.yml").path, environment: [:]).read()
    }

    /// An `energize.yml` of the example's five streams (its contracts) and models for a test's own
    /// pipeline (its schemas named after it) and MongoDB database.
    /// - Parameters:
    ///   - pipeline: the pipeline's name.
    ///   - database: the MongoDB database.
    ///   - transform: the `transform:` mapping's inner text (default: the example's models).
    ///   - extra: more top-level lines.
    static func configuration(pipeline: String, database: String, transform: String? = nil, extra: String = "") -> String {
        let example = folder.path
        return """
            pipeline: \(pipeline)
            time_zone: America/Sao_Paulo
            source: {database: \(database)}
            streams:
              - {name: customers, contract: \(example)/contracts/customers.yml}
              - {name: products, contract: \(example)/contracts/products.yml}
              - {name: stores, contract: \(example)/contracts/stores.yml}
              - {name: sales, strategy: incremental, key: sale_id, cursor: updated_at, lookback: 7d, contract: \(example)/contracts/sales.yml}
              - {name: transactions, strategy: incremental, key: transaction_id, cursor: updated_at, lookback: 7d, contract: \(example)/contracts/transactions.yml}
            transform: {\(transform ?? "models_dir: \(example)/models")}

            """ + extra
    }

    /// The five streams with their contracts.
    static func streams() throws -> [StreamConfig] {
        try config().streams
    }

    /// The models and data tests, built in `prefix`'s schemas: `<prefix>_raw`, `_stg`, `_wh`, `_meta`.
    static func models(prefix: String, connection: PGConnection) throws -> ProjectModels {
        var config = try config()
        config.schemaOverrides = ["raw": prefix + "_raw", "staging": prefix + "_stg", "warehouse": prefix + "_wh", "meta": prefix + "_meta"]
        return try ProjectModels(config: config, rawColumns: try ProjectModels.rawColumns(connection, schema: config.rawSchema))
    }
}
