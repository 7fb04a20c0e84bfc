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
