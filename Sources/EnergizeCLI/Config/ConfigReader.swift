import EnergizeCore
import EnergizeTech
import Foundation
import Yams

/// Reads `energize.yml` into an `EnergizeConfig`, checking every key: an unknown key, a value
/// of the wrong type, an incremental stream without key or cursor, an unreadable duration —
/// each is a `ConfigError` naming the file, the key path and what was expected.
/// `ENERGIZE_MONGO_URI` and `ENERGIZE_PG_URI` override the connection strings.
public struct ConfigReader {
    let file: String
    let environment: [String: String]

    /// Creates a `ConfigReader` from its parts.
    public init(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.environment = environment
    }

    /// Reads and checks the file.
    public func read() throws -> EnergizeConfig {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError(file: file, path: "", problem: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text)
    }

    /// Checks a configuration given as text.
    public func parse(_ text: String) throws -> EnergizeConfig {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ConfigError(file: file, path: "", problem: "not valid YAML: \(error)")
        }
        var config = EnergizeConfig()
        guard let root else { return applyEnvironment(config) }
        let top = try mapping(root, "", keys: ["pipeline", "source", "destination", "streams", "transform", "schedule",
                                                "retries", "lock", "concurrency", "batch_size", "max_reject_ratio"])
        if let value = top["pipeline"] { config.pipeline = try string(value, "pipeline") }
        if let value = top["source"] {
            let source = try mapping(value, "source", keys: ["mongo_uri", "database", "dump_folder", "page_size"])
            config.mongoURI = try source["mongo_uri"].map { try string($0, "source.mongo_uri") }
            if let value = source["database"] { config.database = try string(value, "source.database") }
            config.dumpFolder = try source["dump_folder"].map { try string($0, "source.dump_folder") }
            if let value = source["page_size"] { config.pageSize = try integer(value, "source.page_size", minimum: 0) }
        }
        if let value = top["destination"] {
            let destination = try mapping(value, "destination", keys: ["pg_uri", "raw_schema", "meta_schema"])
            config.pgURI = try destination["pg_uri"].map { try string($0, "destination.pg_uri") }
            if let value = destination["raw_schema"] { config.rawSchema = try string(value, "destination.raw_schema") }
            if let value = destination["meta_schema"] { config.metaSchema = try string(value, "destination.meta_schema") }
        }
        if let value = top["streams"] { config.streams = try streams(value) }
        if let value = top["transform"] {
            let transform = try mapping(value, "transform", keys: ["enabled", "models_dir"])
            if let value = transform["enabled"] { config.transform = try bool(value, "transform.enabled") }
            config.modelsDirectory = try transform["models_dir"].map { try string($0, "transform.models_dir") }
        }
        if let value = top["schedule"] {
            let schedule = try mapping(value, "schedule", keys: ["cron", "interval"])
            switch (schedule["cron"], schedule["interval"]) {
            case (let cron?, nil):
                do {
                    config.schedule = .cron(try CronExpression(try string(cron, "schedule.cron")))
                } catch let error as CronExpression.Invalid {
                    throw ConfigError(file: file, path: "schedule.cron", problem: error.description)
                }
            case (nil, let interval?): config.schedule = .interval(try duration(interval, "schedule.interval"))
            case (nil, nil): throw ConfigError(file: file, path: "schedule", problem: "expected `cron` or `interval`")
            default: throw ConfigError(file: file, path: "schedule", problem: "give `cron` or `interval`, not both")
            }
        }
        if let value = top["retries"] {
            let retries = try mapping(value, "retries", keys: ["attempts", "initial_delay", "max_delay", "jitter"])
            if let value = retries["attempts"] { config.retry.retries = try integer(value, "retries.attempts", minimum: 0) }
            if let value = retries["initial_delay"] { config.retry.initialDelay = try duration(value, "retries.initial_delay") }
            if let value = retries["max_delay"] { config.retry.maxDelay = try duration(value, "retries.max_delay") }
            if let value = retries["jitter"] { config.retry.jitter = try fraction(value, "retries.jitter") }
        }
        if let value = top["lock"] {
            let lock = try mapping(value, "lock", keys: ["wait"])
            if let value = lock["wait"] {
                if let flag = value as? Bool {
                    config.lockWaitSeconds = flag ? .infinity : nil
                } else {
                    config.lockWaitSeconds = try duration(value, "lock.wait")
                }
            }
        }
        if let value = top["concurrency"] { config.concurrency = try integer(value, "concurrency", minimum: 1) }
        if let value = top["batch_size"] { config.batchSize = try integer(value, "batch_size", minimum: 1) }
        if let value = top["max_reject_ratio"] { config.maxRejectRatio = try fraction(value, "max_reject_ratio") }
        return applyEnvironment(config)
    }

    private func applyEnvironment(_ config: EnergizeConfig) -> EnergizeConfig {
        var config = config
        if let uri = environment["ENERGIZE_MONGO_URI"], !uri.isEmpty { config.mongoURI = uri }
        if let uri = environment["ENERGIZE_PG_URI"], !uri.isEmpty { config.pgURI = uri }
        return config
    }

    private func streams(_ value: Any) throws -> [StreamConfig] {
        guard let list = value as? [Any] else { throw ConfigError(file: file, path: "streams", problem: "expected a list of streams") }
        var names = Set<String>()
        return try list.enumerated().map { index, item in
            let path = "streams[\(index)]"
            let fields = try mapping(item, path, keys: ["name", "collection", "table", "strategy", "key", "cursor", "lookback", "contract"])
            guard let nameValue = fields["name"] else { throw ConfigError(file: file, path: path, problem: "missing `name`") }
            let name = try string(nameValue, path + ".name")
            guard names.insert(name).inserted else { throw ConfigError(file: file, path: path + ".name", problem: "a stream named `\(name)` already exists") }
            let key = try fields["key"].map { try string($0, path + ".key") }
            let cursor = try fields["cursor"].map { try string($0, path + ".cursor") }
            let strategy: LoadStrategy
            switch try fields["strategy"].map({ try string($0, path + ".strategy") }) ?? "replace" {
            case "replace": strategy = .replace
            case "append": strategy = .append
            case "merge":
                guard let key else { throw ConfigError(file: file, path: path, problem: "strategy `merge` needs a `key`") }
                strategy = .merge(key: key)
            case "incremental":
                guard let key else { throw ConfigError(file: file, path: path, problem: "strategy `incremental` needs a `key`") }
                guard let cursor else { throw ConfigError(file: file, path: path, problem: "strategy `incremental` needs a `cursor`") }
                let lookback = try fields["lookback"].map { try duration($0, path + ".lookback") } ?? 0
                strategy = .incremental(cursor: cursor, key: key, lookback: Lookback(milliseconds: Int64(lookback * 1000)))
            case let other:
                throw ConfigError(file: file, path: path + ".strategy", problem: "expected replace, append, merge or incremental; got `\(other)`")
            }
            var contract: [FieldRequirement] = []
            switch try fields["contract"].map({ try string($0, path + ".contract") }) ?? "none" {
            case "none": break
            case "energizetech":
                guard let builtIn = EnergizeTechStreams.all.first(where: { $0.name == name }) else {
                    throw ConfigError(file: file, path: path + ".contract", problem: "the energizetech contract has no stream `\(name)`; it has \(EnergizeTechStreams.all.map(\.name).joined(separator: ", "))")
                }
                contract = builtIn.contract
            case let other:
                throw ConfigError(file: file, path: path + ".contract", problem: "expected energizetech or none; got `\(other)`")
            }
            return StreamConfig(name, collection: try fields["collection"].map { try string($0, path + ".collection") },
                                table: try fields["table"].map { try string($0, path + ".table") }, strategy: strategy, contract: contract)
        }
    }

    private func mapping(_ value: Any, _ path: String, keys: Set<String>) throws -> [String: Any] {
        guard let dictionary = value as? [String: Any] else {
            throw ConfigError(file: file, path: path, problem: "expected a mapping of keys to values")
        }
        for key in dictionary.keys.sorted() where !keys.contains(key) {
            throw ConfigError(file: file, path: path.isEmpty ? key : "\(path).\(key)",
                              problem: "unknown key; expected one of \(keys.sorted().joined(separator: ", "))")
        }
        return dictionary
    }

    private func string(_ value: Any, _ path: String) throws -> String {
        if let text = value as? String { return text }
        throw ConfigError(file: file, path: path, problem: "expected text, got \(Self.kind(value))")
    }

    private func bool(_ value: Any, _ path: String) throws -> Bool {
        if let flag = value as? Bool { return flag }
        throw ConfigError(file: file, path: path, problem: "expected true or false, got \(Self.kind(value))")
    }

    private func integer(_ value: Any, _ path: String, minimum: Int) throws -> Int {
        guard let number = value as? Int, !(value is Bool) else {
            throw ConfigError(file: file, path: path, problem: "expected a whole number, got \(Self.kind(value))")
        }
        guard number >= minimum else { throw ConfigError(file: file, path: path, problem: "expected at least \(minimum), got \(number)") }
        return number
    }

    private func fraction(_ value: Any, _ path: String) throws -> Double {
        let number = (value as? Double) ?? (value as? Int).map(Double.init)
        guard let number, !(value is Bool), (0...1).contains(number) else {
            throw ConfigError(file: file, path: path, problem: "expected a number from 0 to 1, got \(Self.kind(value))")
        }
        return number
    }

    /// Seconds from `90s`, `15m`, `12h`, `7d`, `500ms` (or a bare number of seconds).
    private func duration(_ value: Any, _ path: String) throws -> Double {
        if let seconds = value as? Int, !(value is Bool) { return Double(seconds) }
        if let seconds = value as? Double { return seconds }
        if let text = value as? String, let seconds = Self.seconds(text) { return seconds }
        throw ConfigError(file: file, path: path, problem: "expected a duration like 30s, 15m, 12h or 7d; got \(Self.kind(value))")
    }

    /// Seconds of a duration text, or nil.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if let value = Double(number), value >= 0, number.allSatisfy({ $0.isNumber || $0 == "." }) { return value * factor }
        }
        return nil
    }

    static func kind(_ value: Any) -> String {
        switch value {
        case is Bool: "`\(value)` (true/false)"
        case is Int, is Double: "`\(value)` (a number)"
        case let text as String: "`\(text)`"
        case is [Any]: "a list"
        case is [String: Any]: "a mapping"
        default: "`\(value)`"
        }
    }
}
