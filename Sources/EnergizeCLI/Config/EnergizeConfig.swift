import EnergizeCore
import EnergizeTech

/// Everything one `energize.yml` says: where from, where to, which streams and how, the
/// transform, the schedule, retries, the lock and limits. Defaults serve the EnergizeTech contract.
public struct EnergizeConfig: Sendable {
    /// The pipeline's name: its lock, run history and watermarks are keyed by it.
    public var pipeline = "energizetech"
    public var mongoURI: String?
    public var database = EnergizeTechStreams.database
    /// Read collections from this mongodump folder instead of MongoDB.
    public var dumpFolder: String?
    public var pageSize = 0
    public var pgURI: String?
    public var rawSchema = "public"
    public var metaSchema = "energize_meta"
    public var streams = EnergizeTechStreams.all
    public var transform = true
    public var modelsDirectory: String?
    public var schedule: Schedule?
    public var retry = RetryPolicy(retries: 3, initialDelay: 10, maxDelay: 600, jitter: 0.2)
    /// When another run holds the pipeline's lock: wait up to this many seconds (nil: exit at once).
    public var lockWaitSeconds: Double?
    public var concurrency = 2
    public var batchSize = 5_000
    public var maxRejectRatio: Double?

    /// When the pipeline runs on its own (`energize schedule`).
    public enum Schedule: Sendable, Hashable {
        case cron(CronExpression)
        /// Every so many seconds.
        case interval(Double)
    }

    /// Creates an `EnergizeConfig` with its defaults.
    public init() {}

    /// The pipeline settings these options make.
    public var settings: PipelineSettings {
        PipelineSettings(batchSize: batchSize, concurrency: concurrency, maxRejectRatio: maxRejectRatio, retry: retry)
    }
}

/// A mistake in a configuration file: the file, the key path and what was expected.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// E.g. `streams[3].lookback`.
    public var path: String
    public var problem: String

    /// Creates a `ConfigError` from its parts.
    public init(file: String, path: String, problem: String) {
        self.file = file
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(file): \(path.isEmpty ? "" : path + ": ")\(problem)" }
}
