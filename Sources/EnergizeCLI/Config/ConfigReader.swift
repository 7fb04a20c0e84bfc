import EnergizeCore
import Foundation
import Yams

/// Reads a project's `energize.yml` into an `EnergizeConfig`, checking every key: an unknown
/// key, a value of the wrong type, an incremental stream without key or cursor, an unreadable
/// duration, a contract file that is not there — each is a `ConfigError` naming the file, the
/// key path and what was expected. `ENERGIZE_MONGO_URI` and `ENERGIZE_PG_URI` override the
/// connection strings. Relative paths in the file start at the file's folder.
public struct ConfigReader {
    let file: String
    let environment: [String: String]
    let fields: YAMLFields

    /// A reader of one file.
    /// - Parameters:
    ///   - file: the path of `energize.yml` (its folder is the project's).
    ///   - environment: where `ENERGIZE_MONGO_URI` and `ENERGIZE_PG_URI` are looked up.
    public init(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.environment = environment
        fields = YAMLFields(file: file)
    }

    /// The project's folder: the file's.
    var projectRoot: String {
        URL(fileURLWithPath: file).deletingLastPathComponent().path
    }

    /// Reads and checks the file.
    public func read() throws -> EnergizeConfig {
        try parse(try YAMLFields.read(file, as: file))
    }

    static let topKeys: Set<String> = ["pipeline", "description", "time_zone", "vars", "source", "destination", "schemas", "streams", "transform",
                                       "schedule", "retries", "lock", "concurrency", "batch_size", "max_reject_ratio", "follow"]

    /// Checks a configuration given as text.
    public func parse(_ text: String) throws -> EnergizeConfig {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file: file, path: "", problem: "not valid YAML: \(error)")
        }
        var config = EnergizeConfig(pipeline: URL(fileURLWithPath: projectRoot).lastPathComponent, projectRoot: projectRoot)
        config.file = file
        guard let node else { return applyEnvironment(config) }
        let top = try fields.mapping(Constructor.default.any(from: node), "", keys: Self.topKeys)
        if let value = top["pipeline"] { config.pipeline = try fields.string(value, "pipeline") }
        if let value = top["description"] { config.description = try fields.string(value, "description") }
        if let value = top["time_zone"] { config.timeZone = try fields.string(value, "time_zone") }
        if let value = top["vars"] {
            for (name, variable) in try fields.mapping(value, "vars", keys: Set((value as? [String: Any])?.keys.map { $0 } ?? [])) {
                config.vars[name] = try fields.scalarText(variable, "vars.\(name)")
            }
        }
        if let value = top["source"] {
            let source = try fields.mapping(value, "source", keys: ["mongo_uri", "database", "dump_folder", "page_size"])
            config.mongoURI = try source["mongo_uri"].map { try fields.string($0, "source.mongo_uri") }
            if let value = source["database"] { config.database = try fields.string(value, "source.database") }
            config.dumpFolder = try source["dump_folder"].map { config.path(try fields.string($0, "source.dump_folder")) }
            if let value = source["page_size"] { config.pageSize = try fields.integer(value, "source.page_size", minimum: 0) }
        }
        if let value = top["destination"] {
            let destination = try fields.mapping(value, "destination", keys: ["pg_uri"])
            config.pgURI = try destination["pg_uri"].map { try fields.string($0, "destination.pg_uri") }
        }
        if let value = top["schemas"] {
            let names = Set((value as? [String: Any])?.keys.map { $0 } ?? [])
            for (name, schema) in try fields.mapping(value, "schemas", keys: names) {
                let text = try fields.string(schema, "schemas.\(name)")
                guard !text.isEmpty, text.utf8.count <= 63 else {
                    throw ConfigError(file: file, path: "schemas.\(name)", problem: "expected a schema name of 1 to 63 bytes")
                }
                config.schemaOverrides[name] = text
            }
        }
        for name in ["raw", "staging", "warehouse", "meta"] where config.schema(name).utf8.count > 63 {
            throw ConfigError(file: file, path: "schemas.\(name)",
                              problem: "`\(config.schema(name))`, named after the pipeline, is longer than PostgreSQL's 63 bytes: set a shorter one")
        }
        if let value = top["streams"] { config.streams = try streams(value, nodes: Self.value(of: "streams", in: node)?.sequence.map(Array.init) ?? []) }
        if let value = top["transform"] {
            let transform = try fields.mapping(value, "transform", keys: ["enabled", "models_dir", "tests_dir", "analyses_dir"])
            if let value = transform["enabled"] { config.transform = try fields.bool(value, "transform.enabled") }
            if let value = transform["models_dir"] { config.modelsDirectory = try fields.string(value, "transform.models_dir") }
            if let value = transform["tests_dir"] { config.testsDirectory = try fields.string(value, "transform.tests_dir") }
            if let value = transform["analyses_dir"] { config.analysesDirectory = try fields.string(value, "transform.analyses_dir") }
        }
        if let value = top["schedule"] {
            let schedule = try fields.mapping(value, "schedule", keys: ["cron", "interval"])
            switch (schedule["cron"], schedule["interval"]) {
            case (let cron?, nil):
                do {
                    config.schedule = .cron(try CronExpression(try fields.string(cron, "schedule.cron")))
                } catch let error as CronExpression.Invalid {
                    throw ConfigError(file: file, path: "schedule.cron", problem: error.description)
                }
            case (nil, let interval?): config.schedule = .interval(try fields.duration(interval, "schedule.interval"))
            case (nil, nil): throw ConfigError(file: file, path: "schedule", problem: "expected `cron` or `interval`")
            default: throw ConfigError(file: file, path: "schedule", problem: "give `cron` or `interval`, not both")
            }
        }
        if let value = top["retries"] {
            let retries = try fields.mapping(value, "retries", keys: ["attempts", "initial_delay", "max_delay", "jitter"])
            if let value = retries["attempts"] { config.retry.retries = try fields.integer(value, "retries.attempts", minimum: 0) }
            if let value = retries["initial_delay"] { config.retry.initialDelay = try fields.duration(value, "retries.initial_delay") }
            if let value = retries["max_delay"] { config.retry.maxDelay = try fields.duration(value, "retries.max_delay") }
            if let value = retries["jitter"] { config.retry.jitter = try fields.fraction(value, "retries.jitter") }
        }
        if let value = top["lock"] {
            let lock = try fields.mapping(value, "lock", keys: ["wait"])
            if let value = lock["wait"] {
                if let flag = value as? Bool {
                    config.lockWaitSeconds = flag ? .infinity : nil
                } else {
                    config.lockWaitSeconds = try fields.duration(value, "lock.wait")
                }
            }
        }
        if let value = top["follow"] {
            let follow = try fields.mapping(value, "follow", keys: ["batch_changes", "batch_interval", "transform_every", "transform_after_changes"])
            if let value = follow["batch_changes"] { config.follow.batchChanges = try fields.integer(value, "follow.batch_changes", minimum: 1) }
            if let value = follow["batch_interval"] { config.follow.batchSeconds = try positiveDuration(value, "follow.batch_interval") }
            if let value = follow["transform_every"] { config.follow.transformSeconds = try positiveDuration(value, "follow.transform_every") }
            if let value = follow["transform_after_changes"] {
                config.follow.transformChanges = try fields.integer(value, "follow.transform_after_changes", minimum: 1)
            }
        }
        if let value = top["concurrency"] { config.concurrency = try fields.integer(value, "concurrency", minimum: 1) }
        if let value = top["batch_size"] { config.batchSize = try fields.integer(value, "batch_size", minimum: 1) }
        if let value = top["max_reject_ratio"] { config.maxRejectRatio = try fields.fraction(value, "max_reject_ratio") }
        return applyEnvironment(config)
    }

    private func positiveDuration(_ value: Any, _ path: String) throws -> Double {
        let seconds = try fields.duration(value, path)
        guard seconds > 0 else { throw ConfigError(file: file, path: path, problem: "expected a duration above zero, like 1s or 200ms") }
        return seconds
    }

    private func applyEnvironment(_ config: EnergizeConfig) -> EnergizeConfig {
        var config = config
        if let uri = environment["ENERGIZE_MONGO_URI"], !uri.isEmpty { config.mongoURI = uri }
        if let uri = environment["ENERGIZE_PG_URI"], !uri.isEmpty { config.pgURI = uri }
        return config
    }

    private func streams(_ value: Any, nodes: [Node]) throws -> [StreamConfig] {
        var names = Set<String>()
        return try fields.list(value, "streams").enumerated().map { index, item in
            let path = "streams[\(index)]"
            let entry = try fields.mapping(item, path, keys: ["name", "collection", "table", "strategy", "key", "cursor", "lookback", "contract"])
            guard let nameValue = entry["name"] else { throw ConfigError(file: file, path: path, problem: "missing `name`") }
            let name = try fields.string(nameValue, path + ".name")
            guard names.insert(name).inserted else { throw ConfigError(file: file, path: path + ".name", problem: "a stream named `\(name)` already exists") }
            let key = try entry["key"].map { try fields.string($0, path + ".key") }
            let cursor = try entry["cursor"].map { try fields.string($0, path + ".cursor") }
            // A document's top-level fields only: the contract and the loads read `a.b` as one name.
            for (setting, value) in [("key", key), ("cursor", cursor)] where value?.contains(".") == true {
                throw ConfigError(file: file, path: "\(path).\(setting)", problem: "expected a top-level field, not a nested path like `\(value!)`")
            }
            let strategy: LoadStrategy
            switch try entry["strategy"].map({ try fields.string($0, path + ".strategy") }) ?? "replace" {
            case "replace": strategy = .replace
            case "append": strategy = .append
            case "merge":
                guard let key else { throw ConfigError(file: file, path: path, problem: "strategy `merge` needs a `key`") }
                strategy = .merge(key: key)
            case "incremental":
                guard let key else { throw ConfigError(file: file, path: path, problem: "strategy `incremental` needs a `key`") }
                guard let cursor else { throw ConfigError(file: file, path: path, problem: "strategy `incremental` needs a `cursor`") }
                let lookback = try entry["lookback"].map { try fields.duration($0, path + ".lookback") } ?? 0
                strategy = .incremental(cursor: cursor, key: key, lookback: Lookback(milliseconds: Int64(lookback * 1000)))
            case let other:
                throw ConfigError(file: file, path: path + ".strategy", problem: "expected replace, append, merge or incremental; got `\(other)`")
            }
            var stream = StreamConfig(name, collection: try entry["collection"].map { try fields.string($0, path + ".collection") },
                                      table: try entry["table"].map { try fields.string($0, path + ".table") }, strategy: strategy)
            if let contract = try contract(entry["contract"], node: index < nodes.count ? Self.value(of: "contract", in: nodes[index]) : nil, path + ".contract") {
                stream.contract = contract.requirements
                stream.allowsExtraFields = contract.allowsExtraFields
            }
            return stream
        }
    }

    /// A stream's `contract:`: a path of a contract file (relative to the project), a mapping
    /// written inline, or `none`.
    private func contract(_ value: Any?, node: Node?, _ path: String) throws -> ContractReader.Contract? {
        guard let value else { return nil }
        if let text = value as? String {
            if text == "none" { return nil }
            let contractFile = text.hasPrefix("/") ? text : URL(fileURLWithPath: projectRoot).appendingPathComponent(text).path
            guard FileManager.default.fileExists(atPath: contractFile) else {
                throw ConfigError(file: file, path: path, problem: "no contract file \(text) in \(projectRoot)")
            }
            return try ContractReader(fields: YAMLFields(file: contractFile)).read(try YAMLFields.read(contractFile, as: contractFile))
        }
        guard let node, node.mapping != nil else {
            throw ConfigError(file: file, path: path, problem: "expected the path of a contract file, a mapping with `fields:`, or none")
        }
        return try ContractReader(fields: fields).contract(node, path: path)
    }

    /// The value of `key` in a mapping node.
    static func value(of key: String, in node: Node) -> Node? {
        node.mapping?.first { $0.key.string == key }?.value
    }

    /// Seconds of a duration text (`7d`, `1.5h`, `500ms`), or nil.
    public static func seconds(_ text: String) -> Double? { YAMLFields.seconds(text) }
}
