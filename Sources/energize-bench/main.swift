// energize-bench: seeds N sales, then times, in one invocation and alternating where the steps
// allow it: the raw libmongoc drain of the five collections (the floor of any reader) against a
// full extract-load into empty schemas; `energize run --from-dump` of the same collections as a
// mongodump folder against `psql \copy` of the same rows; the project's models (full refresh)
// against a plain `CREATE TABLE AS` of the sale-line explosion; then a full run, a run after a day
// touching 1% of the data, and a run with no source change. Prints medians, ratios and peak memory.
// `--follow N` measures `energize follow` instead (FollowBench.swift).
// Build with `swift build -c release`; `make bench` runs it.
import EnergizeCLI
import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink

struct Options {
    var sales = 100_000
    var repeats = 3
    var pageSize = 0
    var seed = true
    var compareDrains = false
    var database = "bench_energizetech"
    var schema = "bench"
    /// When set, the bench only seeds (unless --skip-seed), writes the collections as a mongodump
    /// folder here (for profiling the dump path by hand) and stops.
    var writeDump: String?
    /// Sales counts at which to measure the peak memory of a full extract-load, each on a database
    /// seeded for it (`--rss-points 100000,1000000`; one already holding that many sales is reused); none by
    /// default (seeding a million sales takes a while).
    var rssPoints: [Int] = []
    /// When set, the bench only measures `energize follow` (latency and throughput, with this many
    /// changes for the throughput) on a collection of its own, and stops.
    var followChanges: Int?
    /// `--follow-interval`: the batch interval `energize follow` runs with in that measurement.
    var followInterval = "1s"

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--sales": sales = Int(iterator.next() ?? "") ?? sales
            case "--repeat": repeats = Int(iterator.next() ?? "") ?? repeats
            case "--page-size": pageSize = Int(iterator.next() ?? "") ?? pageSize
            case "--skip-seed": seed = false
            case "--compare-drains": compareDrains = true
            case "--write-dump": writeDump = iterator.next()
            case "--database": database = iterator.next() ?? database
            case "--rss-points": rssPoints = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--follow": followChanges = Int(iterator.next() ?? "")
            case "--follow-interval": followInterval = iterator.next() ?? followInterval
            default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
            }
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return start.duration(to: .now).seconds
}

/// CPU seconds the whole machine has spent busy since boot (every process, PostgreSQL's
/// backends and workers included), from /proc/stat; nil where that cannot be read.
func machineBusySeconds() -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
    // user nice system idle iowait irq softirq steal …, in clock ticks.
    let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard ticks.count >= 8 else { return nil }
    let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
    return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Runs `body`; returns its wall time and the machine's busy CPU seconds meanwhile (nil where unknown).
func secondsAndCPU(_ body: () throws -> Void) rethrows -> (seconds: Double, cpu: Double?) {
    let before = machineBusySeconds()
    let elapsed = try seconds(body)
    guard let before, let after = machineBusySeconds() else { return (elapsed, nil) }
    return (elapsed, after - before)
}

/// Prints a line at once (the bench's output is read while it runs, often through a pipe).
func print(_ line: String = "") {
    Swift.print(line)
    fflush(nil)
}

let options = Options(CommandLine.arguments)
let environment = ProcessInfo.processInfo.environment
guard let mongoURI = environment["ENERGIZE_MONGO_URI"], let pgURI = environment["ENERGIZE_PG_URI"] else {
    print("set ENERGIZE_MONGO_URI and ENERGIZE_PG_URI (make bench does)")
    exit(2)
}
let collections = ["customers", "products", "stores", "sales", "transactions"]
let client = try MongoClient(uri: mongoURI)

if let changes = options.followChanges {
    let energize = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("energize").path
    try FollowBench(mongoURI: mongoURI, pgURI: pgURI, energize: energize, changes: changes, interval: options.followInterval).run()
    exit(0)
}

if options.seed {
    let size = SyntheticData.Size(customers: max(300, options.sales / 16), sales: options.sales)
    let elapsed = try seconds { try SourceSeeder(uri: mongoURI, database: options.database).seed(SyntheticData(size: size, seed: 42)) }
    print("seeded \(options.sales) sales in \(String(format: "%.1f", elapsed)) s")
}
let totalDocuments = try collections.reduce(0) { $0 + (try client.collection($1, in: options.database).count()) }
print("documents in the five collections: \(totalDocuments)")

if options.compareDrains {
    // Per collection: one cursor against range pages, to choose the reader's default.
    for name in collections {
        for pageSize in [0, max(options.pageSize, 20_000)] {
            let elapsed = try seconds { _ = try client.collection(name, in: options.database).drainRaw(pageSize: pageSize) }
            print(String(format: "drain %@ page size %d: %.2f s", name, pageSize, elapsed))
        }
    }
    exit(0)
}

if let folder = options.writeDump {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var bytes = 0
    for name in collections {
        bytes += try client.collection(name, in: options.database).dumpRaw(to: URL(fileURLWithPath: folder).appendingPathComponent(name + ".bson")).bytes
    }
    print(String(format: "wrote %d documents (%.0f MB of BSON) to %@", totalDocuments, Double(bytes) / 1_048_576, folder))
    exit(0)
}

let energize = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("energize").path
// The project the bench runs: EnergizeTech's streams, contracts and models, in schemas of its own
// (bench, bench_staging, …) so the demo's warehouse is not touched.
let project = FileManager.default.temporaryDirectory.appendingPathComponent("energize-bench-\(getpid())")
try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: project) }
let example = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Examples/energizetech").path
try """
    pipeline: bench_energizetech
    time_zone: America/Sao_Paulo
    source: {database: \(options.database), page_size: \(options.pageSize)}
    schemas: {raw: \(options.schema), staging: \(options.schema)_staging, warehouse: \(options.schema)_warehouse, meta: \(options.schema)_meta}
    streams:
      - {name: customers, strategy: replace, contract: \(example)/contracts/customers.yml}
      - {name: products, strategy: replace, contract: \(example)/contracts/products.yml}
      - {name: stores, strategy: replace, contract: \(example)/contracts/stores.yml}
      - {name: sales, strategy: incremental, key: sale_id, cursor: updated_at, lookback: 7d, contract: \(example)/contracts/sales.yml}
      - {name: transactions, strategy: incremental, key: transaction_id, cursor: updated_at, lookback: 7d, contract: \(example)/contracts/transactions.yml}
    transform: {models_dir: \(example)/models}
    """.write(to: project.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)

/// Runs `energize arguments` on the bench project; returns its wall time and peak memory (MB).
@discardableResult
func energizeRunMeasured(_ arguments: [String]) throws -> (seconds: Double, peakMB: Double) {
    let argv = [energize] + arguments + ["--project", project.path, "--quiet"]
    var pid: pid_t = 0
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    let start = ContinuousClock.now
    guard posix_spawn(&pid, energize, nil, nil, &cArguments, environ) == 0 else { print("cannot start \(energize)"); exit(1) }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let elapsed = start.duration(to: .now).seconds
    guard status == 0 else { print("energize \(arguments.joined(separator: " ")) failed (status \(status))"); exit(1) }
    return (elapsed, Double(usage.ru_maxrss) / 1024)
}

/// Runs `energize arguments` on the bench project; returns its wall time.
@discardableResult
func energizeRun(_ arguments: [String]) throws -> Double {
    try energizeRunMeasured(arguments).seconds
}

/// Runs `psql` with `arguments`; returns its wall time.
func psql(_ arguments: [String]) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", pgURI, "-X", "-q", "-v", "ON_ERROR_STOP=1"] + arguments
    let elapsed = try seconds {
        try process.run()
        process.waitUntilExit()
    }
    guard process.terminationStatus == 0 else { print("psql \(arguments.joined(separator: " ")) failed"); exit(1) }
    return elapsed
}

/// Drops the bench's schemas: the next run loads everything and builds every model.
func dropSchemas() throws {
    let reset = try PGConnection(pgURI)
    defer { reset.close() }
    for suffix in ["", "_staging", "_warehouse", "_meta"] {
        try reset.execute("DROP SCHEMA IF EXISTS \(SQLIdentifier.quote(options.schema + suffix)) CASCADE")
    }
}

var drains: [Double] = [], runs: [Double] = []
for round in 1...options.repeats {
    var drained = 0
    let drain = try seconds {
        for name in collections {
            drained += try client.collection(name, in: options.database).drainRaw(pageSize: options.pageSize).documents
        }
    }
    precondition(drained == totalDocuments, "drain read \(drained) of \(totalDocuments)")
    drains.append(drain)

    try dropSchemas()
    let run = try energizeRun(["run", "--skip-transform"])
    runs.append(run)
    print(String(format: "round %d: raw drain %.2f s, energize run %.2f s", round, drain, run))
}
var usage = rusage()
getrusage(RUSAGE_CHILDREN.rawValue, &usage)
let drainMedian = median(drains), runMedian = median(runs)
print("")
print("| documents | raw libmongoc drain (\(options.pageSize == 0 ? "one cursor" : "range pages of \(options.pageSize)")) | energize run (extract-load) | ratio | energize peak RSS |")
print("|---|---|---|---|---|")
print(String(format: "| %d | %.2f s (%.0f docs/s) | %.2f s (%.0f docs/s) | %.2f× | %.0f MB |",
             totalDocuments, drainMedian, Double(totalDocuments) / drainMedian, runMedian,
             Double(totalDocuments) / runMedian, runMedian / drainMedian, Double(usage.ru_maxrss) / 1024))
print("medians of \(options.repeats) alternating rounds")

// The dump path: the same collections as a mongodump folder, loaded by `energize run --from-dump`
// into empty schemas, against `psql \\copy` of the same rows (CSV exported from what energize
// loaded) into tables of the same types, alternating.
let dumpFolder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-bench-dump-\(getpid())")
try FileManager.default.createDirectory(at: dumpFolder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dumpFolder) }
var dumpBytes = 0
for name in collections {
    dumpBytes += try client.collection(name, in: options.database).dumpRaw(to: dumpFolder.appendingPathComponent(name + ".bson")).bytes
}
let copySchema = SQLIdentifier.quote(options.schema + "_copy")
var dumps: [Double] = [], copies: [Double] = [], dumpPeaks: [Double] = []
for round in 1...options.repeats {
    try dropSchemas()
    let (dump, peak) = try energizeRunMeasured(["run", "--skip-transform", "--from-dump", dumpFolder.path])
    if round == 1 {
        _ = try psql(["-c", "DROP SCHEMA IF EXISTS \(copySchema) CASCADE", "-c", "CREATE SCHEMA \(copySchema)"])
        for name in collections {
            let file = dumpFolder.appendingPathComponent(name + ".csv").path
            _ = try psql(["-c", "CREATE TABLE \(copySchema).\(SQLIdentifier.quote(name)) (LIKE \(SQLIdentifier.quote(options.schema)).\(SQLIdentifier.quote(name)))",
                          "-c", "\\copy \(SQLIdentifier.quote(options.schema)).\(SQLIdentifier.quote(name)) TO '\(file)' CSV"])
        }
    }
    _ = try psql(collections.flatMap { ["-c", "TRUNCATE \(copySchema).\(SQLIdentifier.quote($0))"] })
    let copy = try psql(collections.flatMap { name in
        ["-c", "\\copy \(copySchema).\(SQLIdentifier.quote(name)) FROM '\(dumpFolder.appendingPathComponent(name + ".csv").path)' CSV"]
    })
    dumps.append(dump)
    copies.append(copy)
    dumpPeaks.append(peak)
    print(String(format: "round %d: energize run --from-dump %.2f s (%.0f MB), psql \\copy %.2f s", round, dump, peak, copy))
}
_ = try psql(["-c", "DROP SCHEMA IF EXISTS \(copySchema) CASCADE"])
print("")
print("| documents (dump bytes) | `psql \\copy` of the same rows (CSV) | energize run --from-dump | ratio | energize peak RSS |")
print("|---|---|---|---|---|")
print(String(format: "| %d (%.0f MB) | %.2f s | %.2f s | %.2f× | %.0f MB |", totalDocuments, Double(dumpBytes) / 1_048_576,
             median(copies), median(dumps), median(dumps) / median(copies), dumpPeaks.max() ?? 0))
print("medians of \(options.repeats) alternating rounds")

// The transform: the project's models, full refresh, on what the last round loaded, against
// a plain `CREATE TABLE AS` of the sale-line explosion (no lookups, no contract) in the same schema,
// alternating; the rounds' ratio is what issue 10's target reads ("within 2× of the line explosion").
let connection = try PGConnection(pgURI)
try connection.execute("ANALYZE")
let raw = SQLIdentifier.quote(options.schema)
let baselineTable = SQLIdentifier.qualified(options.schema + "_warehouse", "baseline_sale_lines")
let explosion = """
    CREATE TABLE \(baselineTable) AS
    SELECT r.sale_id, i.line_number::integer AS line_number, i.item->>'sku' AS sku, r.sold_at, r.customer_id, r.store_id,
      (i.item->>'quantity')::numeric::integer AS quantity, (i.item->>'unit_price')::numeric(14,2) AS unit_price,
      (i.item->>'quantity')::numeric * (i.item->>'unit_price')::numeric AS gross_amount
    FROM \(raw).sales r CROSS JOIN LATERAL jsonb_array_elements(r.items) WITH ORDINALITY AS i(item, line_number)
    """
let modelCount = (FileManager.default.enumerator(atPath: example + "/models")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".sql") }.count
var transforms: [Double] = [], baselines: [Double] = []
// The machine's busy CPU seconds during each: what both cores can do at best bounds the wall time.
var transformCPUs: [Double] = [], baselineCPUs: [Double] = []
for round in 1...options.repeats {
    let (transform, transformCPU) = try secondsAndCPU { _ = try energizeRun(["transform", "--full-refresh", "--skip-tests"]) }
    try connection.execute("CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(options.schema + "_warehouse"))")
    try connection.execute("DROP TABLE IF EXISTS \(baselineTable)")
    let (baseline, baselineCPU) = try secondsAndCPU { _ = try connection.execute(explosion) }
    transforms.append(transform)
    baselines.append(baseline)
    if let transformCPU, let baselineCPU {
        transformCPUs.append(transformCPU)
        baselineCPUs.append(baselineCPU)
    }
    print(String(format: "round %d: energize transform (%d models) %.2f s (machine busy %.2f CPU-s), CREATE TABLE AS of the line explosion %.2f s (%.2f CPU-s)",
                 round, modelCount, transform, transformCPU ?? .nan, baseline, baselineCPU ?? .nan))
}
let lines = try connection.execute("SELECT count(*) FROM \(baselineTable)").scalar ?? "?"
connection.close()
print("")
print("| sale lines | CREATE TABLE AS of the line explosion | energize transform, \(modelCount) models, full refresh | ratio |")
print("|---|---|---|---|")
print(String(format: "| %@ | %.2f s | %.2f s | %.2f× |", lines, median(baselines), median(transforms), median(transforms) / median(baselines)))
print("medians of \(options.repeats) alternating rounds")
if !transformCPUs.isEmpty {
    let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
    let floor = median(transformCPUs) / cores
    print(String(format: "machine busy: transform %.2f CPU-s, CREATE TABLE AS %.2f CPU-s (%.2f×); with all %.0f cores busy throughout, "
                 + "the transform's work takes at least %.2f s = %.2f× the CREATE TABLE AS's wall time",
                 median(transformCPUs), median(baselineCPUs), median(transformCPUs) / median(baselineCPUs), cores, floor, floor / median(baselines)))
}

// A day in the life, each step one `energize run` (extract-load, models, data tests): a full run
// from empty schemas, a day of changes to 1% of the sales and customers, then a run with no source
// change. These are one round each: every step starts from the state the one before left.
try dropSchemas()
let (full, fullPeak) = try energizeRunMeasured(["run"])
let touched = try SourceSeeder(uri: mongoURI, database: options.database).touch(DayOfChanges(percent: 1, seed: 7))
let day = try energizeRun(["run"])
let unchanged = try energizeRun(["run"])
print("")
print("| `energize run` | wall | of the full run |")
print("|---|---|---|")
print(String(format: "| full (empty schemas, peak RSS %.0f MB) | %.2f s | 1.00× |", fullPeak, full))
print(String(format: "| after a day touching 1%% (%d inserted, %d replaced, %d deleted) | %.2f s | %.3f× |",
             touched.inserted, touched.replaced, touched.deleted, day, day / full))
print(String(format: "| no source change | %.2f s | %.3f× |", unchanged, unchanged / full))

// Peak memory of a full extract-load at each --rss-points size, on a database seeded for it.
var rssRows: [(sales: Int, documents: Int, seconds: Double, peak: Double)] = []
for sales in options.rssPoints {
    let database = "\(options.database)_rss_\(sales)"
    let size = SyntheticData.Size(customers: max(300, sales / 16), sales: sales)
    // The bench only reads these databases: one seeded before with this many sales is reused.
    if try client.collection("sales", in: database).count() == sales {
        print("rss point: reusing \(database) (\(sales) sales)")
    } else {
        try SourceSeeder(uri: mongoURI, database: database).seed(SyntheticData(size: size, seed: 42))
    }
    let documents = try collections.reduce(0) { $0 + (try client.collection($1, in: database).count()) }
    try dropSchemas()
    let (elapsed, peak) = try energizeRunMeasured(["run", "--skip-transform", "--database", database])
    rssRows.append((sales, documents, elapsed, peak))
    print(String(format: "rss point: %d sales (%d documents): extract-load %.2f s, peak RSS %.1f MB", sales, documents, elapsed, peak))
}

// The one table issue 10 reads: every figure against its baseline of this invocation.
print("")
print("| work | energize | baseline in the same invocation | ratio | target |")
print("|---|---|---|---|---|")
print(String(format: "| full extract-load, %d documents | %.2f s, %.0f MB | libmongoc drain %.2f s | %.2f× | keep |",
             totalDocuments, runMedian, Double(usage.ru_maxrss) / 1024, drainMedian, runMedian / drainMedian))
print(String(format: "| load from a mongodump folder (%.0f MB) | %.2f s, %.0f MB | `psql \\copy` %.2f s | %.2f× | ≤ 2× |",
             Double(dumpBytes) / 1_048_576, median(dumps), dumpPeaks.max() ?? 0, median(copies), median(dumps) / median(copies)))
print(String(format: "| transform, %d models, full refresh, %@ lines | %.2f s | `CREATE TABLE AS` of the line explosion %.2f s | %.2f× | ≤ 2× |",
             modelCount, lines, median(transforms), median(baselines), median(transforms) / median(baselines)))
if !transformCPUs.isEmpty {
    print(String(format: "| the same transform's work: machine busy | %.2f CPU-s | `CREATE TABLE AS` %.2f CPU-s | %.2f× | — |",
                 median(transformCPUs), median(baselineCPUs), median(transformCPUs) / median(baselineCPUs)))
}
print(String(format: "| `energize run` after a day touching 1%% | %.2f s | full run %.2f s (peak %.0f MB) | %.1f%% | ≤ 10%% |", day, full, fullPeak, day / full * 100))
print(String(format: "| `energize run`, no source change | %.2f s | full run %.2f s | %.1f%% | ≤ 5%% |", unchanged, full, unchanged / full * 100))
for row in rssRows {
    print(String(format: "| peak RSS, full extract-load of %d sales (%d documents) | %.1f MB (%.1f s) | — | — | ≤ 64 MB, flat |", row.sales, row.documents, row.peak, row.seconds))
}
