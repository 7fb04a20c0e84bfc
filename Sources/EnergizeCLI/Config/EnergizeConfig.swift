import EnergizeCore
import Foundation

/// Everything one project's `energize.yml` says: where from, where to, which streams and how,
/// the schemas it writes, the transform, the schedule, retries, the lock and limits.
public struct EnergizeConfig: Sendable {
    /// The pipeline's name: its lock, run history and watermarks are keyed by it, and the
    /// schemas it writes are named after it unless `schemas:` says otherwise.
    public var pipeline: String
    /// What the pipeline is for, in a sentence or two (`description:`): the Airflow DAG's documentation.
    public var description: String?
    /// The project's folder: relative paths in the file (models, tests, contracts, seeds) start here.
    public var projectRoot: String
    /// The file this configuration was read from, for messages.
    public var file = "energize.yml"
    public var mongoURI: String?
    /// The MongoDB database (default: the pipeline's name).
    public var database: String?
    /// Read collections from this mongodump folder instead of MongoDB.
    public var dumpFolder: String?
    public var pageSize = 0
    public var pgURI: String?
    /// Schemas set in the file (`raw`, `staging`, `warehouse`, `meta`, and any a project adds);
    /// the four it does not set are named after the pipeline.
    public var schemaOverrides: [String: String] = [:]
    /// The time zone business dates are taken in (`{{ var('time_zone') }}` in models).
    public var timeZone = "UTC"
    /// Variables the models read with `{{ var('name') }}`.
    public var vars: [String: String] = [:]
    public var streams: [StreamConfig] = []
    public var transform = true
    /// The models folder, relative to the project.
    public var modelsDirectory = "models"
    /// The folder of the project's own data tests (`.sql` files), relative to the project.
    public var testsDirectory = "tests"
    /// The folder of the project's analyses (`SELECT`s compiled by `energize compile`, never built), relative to the project.
    public var analysesDirectory = "analyses"
    /// The folder of documents `energize seed` writes into MongoDB, relative to the project.
    public var seedsDirectory = "seeds"
    /// When the pipeline runs on its own (`energize schedule`); nil when it is not scheduled.
    package var schedule: Schedule?
    public var retry = RetryPolicy(retries: 3, initialDelay: 10, maxDelay: 600, jitter: 0.2)
    /// When another run holds the pipeline's lock: wait up to this many seconds (nil: exit at once).
    public var lockWaitSeconds: Double?
    public var concurrency = 2
    public var batchSize = 2_500
    public var maxRejectRatio: Double?
    /// How `energize follow` batches changes and when it builds the models.
    public var follow = FollowSettings()
    /// Who started the run (`--origin`), kept in the run history; never read from the file.
    public var origin: String?

    /// When the pipeline runs on its own (`energize schedule`).
    package enum Schedule: Sendable, Hashable {
        case cron(CronExpression)
        /// Every so many seconds.
        case interval(Double)
    }

    /// A configuration with the defaults for a pipeline.
    /// - Parameters:
    ///   - pipeline: the pipeline's name.
    ///   - projectRoot: the folder relative paths start from.
    public init(pipeline: String = "energize", projectRoot: String = FileManager.default.currentDirectoryPath) {
        self.pipeline = pipeline
        self.projectRoot = projectRoot
    }

    /// The pipeline settings these options make.
    public var settings: PipelineSettings {
        PipelineSettings(batchSize: batchSize, concurrency: concurrency, maxRejectRatio: maxRejectRatio, retry: retry)
    }

    /// The MongoDB database to read.
    public var sourceDatabase: String {
        get { database ?? pipeline }
        set { database = newValue }
    }

    /// The raw tables and `_rejects` (default `<pipeline>_raw`).
    public var rawSchema: String {
        get { schema("raw") }
        set { schemaOverrides["raw"] = newValue }
    }

    /// Run history, watermarks and model state (default `<pipeline>_meta`).
    public var metaSchema: String {
        get { schema("meta") }
        set { schemaOverrides["meta"] = newValue }
    }

    /// The PostgreSQL schema of a logical schema name: as set in the file, or for the four
    /// standard ones, `<pipeline>_<name>`.
    public func schema(_ name: String) -> String {
        schemaOverrides[name] ?? Self.derivedSchema(pipeline: pipeline, name)
    }

    /// The logical schemas models can be built in and the PostgreSQL schemas they stand for
    /// (`staging`, `warehouse`, and the others the file sets, but not `raw` and `meta`).
    public var modelSchemas: [String: String] {
        var schemas = ["staging": schema("staging"), "warehouse": schema("warehouse")]
        for (name, value) in schemaOverrides where !["raw", "meta"].contains(name) { schemas[name] = value }
        return schemas
    }

    /// `<pipeline>_<name>`, lower-cased, with characters other than letters, digits and `_` as `_`.
    static func derivedSchema(pipeline: String, _ name: String) -> String {
        String((pipeline + "_" + name).lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    /// A path of the project: absolute paths as they are, others from the project's folder.
    public func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : URL(fileURLWithPath: projectRoot).appendingPathComponent(relative).path
    }

    /// The variables models see: the file's `vars`, and `time_zone`.
    public var modelVars: [String: String] {
        vars.merging(["time_zone": timeZone]) { _, zone in zone }
    }
}

/// A mistake in a configuration file: the file, the key path and what was expected.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// E.g. `streams[3].lookback`.
    public var path: String
    public var problem: String

    /// A mistake in a configuration file.
    /// - Parameters:
    ///   - file: the file, as given.
    ///   - path: the key path, e.g. `streams[3].lookback` (empty for the whole file).
    ///   - problem: what is wrong and what was expected.
    public init(file: String, path: String, problem: String) {
        self.file = file
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(file): \(path.isEmpty ? "" : path + ": ")\(problem)" }
}
