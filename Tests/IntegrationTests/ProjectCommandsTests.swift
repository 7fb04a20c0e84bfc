import Foundation
import Testing

/// A new user's path: `energize init` scaffolds a project, `debug` says what is missing (the
/// collection), `seed` writes the example documents, `run` loads and models them, `ls` and
/// `compile` show the models — all through the binary, on the real servers.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct ProjectCommandsTests {
    @Test func aScaffoldedProjectIsCheckedSeededRunListedAndCompiled() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("energize-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("it_init")
        let connection = try LiveServers.freshSchemas(["it_init_raw", "it_init_staging", "it_init_warehouse", "it_init_meta"])
        defer { connection.close() }
        _ = try LiveServers.freshCollections("it_init", ["orders"])
        func energize(_ arguments: String...) throws -> (status: Int32, output: String) { try EnergizeBinary.run(arguments, in: folder) }

        let initialized = try EnergizeBinary.run(["init", "it_init"], in: parent)
        #expect(initialized.status == 0 && initialized.output.contains("\n  cd it_init\n  energize seed"), "\(initialized.output)")
        #expect(try EnergizeBinary.run(["init", "it_init"], in: parent).status == 2)
        // Before the seed, the configured collection does not exist: debug says so and fails.
        let before = try energize("debug")
        #expect(before.status == 1)
        #expect(before.output.contains("FAIL  collections: database it_init has no collection orders"), "\(before.output)")
        #expect(before.output.contains("ok    postgresql privileges"), "\(before.output)")
        // Before the first load, the docs (and `serve`) show the project, its raw tables not there yet.
        let docsFirst = try energize("docs")
        #expect(docsFirst.status == 0, "\(docsFirst.output)")
        // A run says so too, and goes on (the collection may appear later).
        let early = try energize("run", "--skip-transform")
        #expect(early.output.contains("warning: collection orders does not exist in MongoDB database it_init: stream orders loads an empty table"), "\(early.output)")
        #expect(try energize("seed").output.contains("seeded it_init: orders 3"))
        #expect(try energize("debug").status == 0)
        let run = try energize("run")
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("3 of 3 models built"), "\(run.output)")
        #expect(try connection.execute("SELECT day::text, orders, revenue::text FROM it_init_warehouse.daily_revenue").rows == [["2026-01-05", "1", "21.00"]])
        #expect(try connection.execute("SELECT reason FROM it_init_raw._rejects").rows == [["field `lines` must be a non-empty array of documents but is empty"]])

        let models = try #require(try EnergizeBinary.json(["ls", "--json"], in: folder) as? [[String: Any]])
        #expect(models.map { $0["name"] as? String } == ["stg_order_lines", "stg_orders", "daily_revenue"])
        #expect(models.last?["depends_on"] as? [String] == ["stg_orders", "stg_order_lines"])
        #expect(models.first?["sources"] as? [String] == ["it_init_raw.orders"] && models.last?["sources"] as? [String] == [], "\(models)")
        #expect(models.last?["relation"] as? String == "it_init_warehouse.daily_revenue")
        // A selection naming no model is a usage mistake: no run is recorded for it.
        let runs = try connection.execute("SELECT count(*) FROM it_init_meta.runs").scalar
        let typo = try energize("transform", "--select", "daily_revenu")
        #expect(typo.status == 2 && !typo.output.contains("transform (run"), "\(typo.output)")
        #expect(try connection.execute("SELECT count(*) FROM it_init_meta.runs").scalar == runs)
        let runTypo = try energize("run", "--select", "daily_revenu")
        #expect(runTypo.status == 2, "\(runTypo.output)")
        #expect(try connection.execute("SELECT count(*) FROM it_init_meta.runs").scalar == runs)
        // `run --select`: every stream loads, the selected models build and their tests run.
        let selected = try energize("run", "--select", "daily_revenue", "--full-refresh")
        #expect(selected.status == 0 && selected.output.contains("transform: 1 of 1 models built"), "\(selected.output)")
        #expect(try energize("run", "--select", "daily_revenue", "--skip-transform").status == 2)
        // `run --reload`: the whole collection read again as on a first load; the same documents
        // give the same rows and the same one reject (ReloadTests has what changes).
        let reload = try energize("run", "--reload", "--streams", "orders")
        #expect(reload.status == 0 && reload.output.contains("reload: orders read whole"), "\(reload.output)")
        #expect(try connection.execute("SELECT count(*) FROM it_init_raw.orders").scalar == "2")
        #expect(try connection.execute("SELECT count(*) FROM it_init_raw._rejects").scalar == "1")
        let reloaded = try energize("status", "--limit", "1")
        #expect(reloaded.output.contains("orders (reloaded)"), "\(reloaded.output)")
        // For machines: keys in snake case, times ISO 8601 in UTC.
        let status = try #require(try EnergizeBinary.json(["status", "--json", "--limit", "1"], in: folder) as? [String: Any])
        let lastRun = try #require((status["runs"] as? [[String: Any]])?.first)
        let startedAt = try #require(lastRun["started_at"] as? String)
        #expect(startedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil, "\(startedAt)")
        #expect((lastRun["streams"] as? [[String: Any]])?.first?["rows_deleted"] as? Int == 0, "\(lastRun)")
        let compiled = try energize("compile", "--select", "daily_revenue")
        #expect(compiled.output.contains(#"FROM "it_init_staging"."stg_orders" o JOIN "it_init_staging"."stg_order_lines" l"#), "\(compiled.output)")
        #expect(compiled.output.contains("AT TIME ZONE 'UTC'"))
        let plan = try energize("compile", "--select", "daily_revenue", "--plan")
        #expect(plan.output.contains(#"DROP TABLE "it_init_warehouse"."daily_revenue";"#), "a second build replaces the table: \(plan.output)")
        // A mistake in a model names the file and the line.
        try "-- energize: materialized=table\nSELECT * FROM {{ ref('stg_order') }}\n"
            .write(to: folder.appendingPathComponent("models/warehouse/broken.sql"), atomically: true, encoding: .utf8)
        let broken = try energize("compile", "--offline")
        #expect(broken.status != 0)
        #expect(broken.output.contains("models/warehouse/broken.sql:2: {{ ref('stg_order') }} names no model"), "\(broken.output)")
        // A raw table no stream loads: `debug` finds it before any run, naming the tables there are.
        try "SELECT * FROM {{ raw('ordrs') }}\n".write(to: folder.appendingPathComponent("models/warehouse/broken.sql"), atomically: true, encoding: .utf8)
        let debug = try energize("debug")
        #expect(debug.status == 1 && debug.output.contains("FAIL  raw tables: ")
                && debug.output.contains("raw table it_init_raw.ordrs does not exist, and no stream of the project loads it; the raw tables: orders"),
                "\(debug.output)")
    }
}

/// One exit-status table for every command: configuration and usage mistakes are 2, with one
/// clear line and no usage text unless a flag was wrong.
@Suite(.enabled(if: LiveServers.enabled)) struct ExitStatusTests {
    @Test func usageAndConfigurationMistakesExitTwo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let noProject = try EnergizeBinary.run(["run"], in: folder)
        #expect(noProject.status == 2 && noProject.output.contains("no energize.yml in") && !noProject.output.contains("Usage"), "\(noProject.output)")
        let badFlag = try EnergizeBinary.run(["run", "--bogus"], in: folder)
        #expect(badFlag.status == 2 && badFlag.output.contains("Unknown option '--bogus'"), "\(badFlag.output)")
        let here = try EnergizeBinary.run(["init"], in: folder)
        #expect(here.status == 0 && !here.output.contains("  cd "), "\(here.output)")
        let again = try EnergizeBinary.run(["init"], in: folder)
        #expect(again.status == 2 && again.output.contains("energize.yml exists; pass --force") && !again.output.contains("Usage"), "\(again.output)")
        // Reloading a collection MongoDB does not have would empty its table: refused, nothing loaded.
        let reloadMissing = try EnergizeBinary.run(["run", "--reload"], in: folder)
        #expect(reloadMissing.status == 2 && reloadMissing.output.contains("--reload: collection orders does not exist")
                && !reloadMissing.output.contains("loaded in"), "\(reloadMissing.output)")
        // A wrong --cron is a usage mistake; a scheduler stopped on request exits 6, as every command does.
        let badCron = try EnergizeBinary.run(["schedule", "--cron", "61 * * * *"], in: folder)
        #expect(badCron.status == 2 && badCron.output.contains("--cron 61 * * * *: minute field `61`"), "\(badCron.output)")
        let scheduler = try EnergizeBinary.start(["schedule", "--every", "1h"], in: folder)
        Thread.sleep(forTimeInterval: 3)  // its signal handlers in place (it reads the project first)
        scheduler.send(SIGTERM)
        let stopped = scheduler.wait()
        #expect(stopped.status == 6 && stopped.output.contains("scheduler stopped"), "\(stopped.output)")
        // A DAG written into a folder not made yet.
        let dag = try EnergizeBinary.run(["airflow-dag", "--output", "dags/energize/x.py"], in: folder)
        #expect(dag.status == 0 && FileManager.default.fileExists(atPath: folder.appendingPathComponent("dags/energize/x.py").path), "\(dag.output)")
        // A time zone PostgreSQL does not know: said before anything loads or builds.
        let file = folder.appendingPathComponent("energize.yml")
        let scaffolded = try String(contentsOf: file, encoding: .utf8)
        try scaffolded.replacingOccurrences(of: "time_zone: UTC", with: "time_zone: America/Sao_Paolo").write(to: file, atomically: true, encoding: .utf8)
        for command in ["run", "transform"] {
            let badZone = try EnergizeBinary.run([command], in: folder)
            #expect(badZone.status == 2 && badZone.output.contains("time_zone: PostgreSQL does not know the time zone `America/Sao_Paolo`")
                    && !badZone.output.contains("loaded"), "\(command): \(badZone.output)")
        }
        // A PostgreSQL connection string libpq cannot read: a configuration mistake, its password never printed.
        for (uri, said) in [("postgresql://u:pw-sekrit-9@127.0.0.1:notaport/db", "its port `notaport` is not a port number"),
                            ("host=127.0.0.1 password=pw-sekrit-9 dbnme=x", #"invalid connection option "dbnme""#),
                            // The redactor takes `oops` for a word of the password: masked too.
                            ("host=127.0.0.1 password=pw-sekrit-9 oops", #"missing "=" after "***""#)] {
            let bad = try EnergizeBinary.run(["status", "--pg-uri", uri], in: folder)
            #expect(bad.status == 2 && bad.output.contains("the PostgreSQL connection string") && bad.output.contains(said)
                    && !bad.output.contains("sekrit"), "\(bad.output)")
        }
        try "pipeline: x\nstreams: [{name: a, strategy: upsert}]\n".write(to: folder.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        let badConfig = try EnergizeBinary.run(["ls"], in: folder)
        #expect(badConfig.status == 2 && badConfig.output.contains("streams[0].strategy: expected replace, append, merge or incremental"), "\(badConfig.output)")
        let help = try EnergizeBinary.run(["transform", "--help"], in: folder)
        #expect(help.status == 0 && help.output.contains("Exit status: 0 done, 1 failed, 2 usage or configuration error"), "\(help.output)")
    }
}

/// `energize seed` drops collections: it refuses a database holding collections no seed wrote.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SeedSafetyTests {
    @Test func seedRefusesADatabaseWithOtherCollectionsUnlessForced() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("energize-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let client = try LiveServers.freshCollections("it_seedguard", ["orders", "invoices", "_energize_seed"])
        #expect(try EnergizeBinary.run(["init", "it_seedguard"], in: parent).status == 0)
        let folder = parent.appendingPathComponent("it_seedguard")
        // An empty database, then one this seed wrote: seeded.
        #expect(try EnergizeBinary.run(["seed"], in: folder).status == 0)
        let again = try EnergizeBinary.run(["seed"], in: folder)
        #expect(again.status == 0 && again.output.contains("(replacing the documents there were: orders 3)"), "\(again.output)")
        // Someone else's collection appears: refused, nothing dropped.
        try client.collection("invoices", in: "it_seedguard").insertMany([["_id": .string("i1")]])
        let refused = try EnergizeBinary.run(["seed"], in: folder)
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("database it_seedguard holds collections no seed wrote (invoices)"), "\(refused.output)")
        #expect(try client.collection("invoices", in: "it_seedguard").count() == 1)
        let forced = try EnergizeBinary.run(["seed", "--force"], in: folder)
        #expect(forced.status == 0, "\(forced.output)")
        #expect(try client.collection("invoices", in: "it_seedguard").count() == 1, "a seed drops only the collections of its files")
    }
}
