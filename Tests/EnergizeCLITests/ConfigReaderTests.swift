@testable import EnergizeCLI
import EnergizeCore
import Foundation
import Testing

@Suite struct ConfigReaderTests {
    let reader = ConfigReader(file: "/projects/shop/energize.yml", environment: [:])
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theEnergizeTechProjectReadsWithItsContractsAndSchemas() throws {
        let config = try ConfigReader(file: Self.repository.appendingPathComponent("Examples/energizetech/energize.yml").path, environment: [:]).read()
        #expect(config.pipeline == "energizetech")
        #expect(config.description?.hasPrefix("EnergizeTech sells electric-vehicle batteries") == true)
        #expect(config.streams.map(\.name) == ["customers", "products", "stores", "sales", "transactions"])
        #expect(config.streams[3].strategy == .incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)))
        #expect(config.streams[3].contract.first { $0.name == "items" }?.kind == .documents([
            FieldRequirement("sku", .string), FieldRequirement("quantity", .wholeNumber),
            FieldRequirement("unit_price", .number), FieldRequirement("discount", .number, optional: true)]))
        #expect(config.streams[0].contract.map(\.name) == ["customer_id", "name", "email", "type", "city", "state", "region", "created_at", "updated_at"])
        #expect([config.rawSchema, config.schema("staging"), config.schema("warehouse"), config.metaSchema] == ["public", "staging", "warehouse", "energize_meta"])
        #expect(config.modelVars["time_zone"] == "America/Sao_Paulo")
        #expect(config.schedule == .cron(try CronExpression("0 3 * * *")))
        #expect(config.retry == RetryPolicy(retries: 3, initialDelay: 10, maxDelay: 600, jitter: 0.2))
    }

    @Test func theScaffoldReadsAsAWorkingProject() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-scaffold-\(UUID().uuidString)/my-shop")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        for file in ProjectScaffold.files(pipeline: "my_shop") {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
        }
        let config = try ConfigReader(file: folder.appendingPathComponent("energize.yml").path, environment: [:]).read()
        #expect(config.pipeline == "my_shop")
        #expect(config.streams.map(\.name) == ["orders"])
        #expect(config.streams[0].contract.map(\.name) == ["order_id", "customer", "lines", "status", "ordered_at", "updated_at"])
        #expect([config.rawSchema, config.schema("staging"), config.schema("warehouse"), config.metaSchema]
                == ["my_shop_raw", "my_shop_staging", "my_shop_warehouse", "my_shop_meta"])
        let models = try ProjectModels(config: config, rawColumns: nil)
        #expect(models.graph.order == ["stg_order_lines", "stg_orders", "daily_revenue"])
        #expect(models.graph.models["stg_orders"]?.schema == "my_shop_staging")
        #expect(models.tests.map(\.name).contains("no_negative_revenue"))
        #expect(models.graph.model("stg_orders")?.description == "One row per order.")
    }

    @Test func schemasDefaultToThePipelinesNameAndCanBeSetOneByOne() throws {
        let config = try reader.parse("pipeline: Shop-EU\nschemas: {warehouse: analytics, marts: shop_marts}")
        #expect([config.rawSchema, config.schema("staging"), config.schema("warehouse"), config.metaSchema]
                == ["shop_eu_raw", "shop_eu_staging", "analytics", "shop_eu_meta"])
        #expect(config.modelSchemas == ["staging": "shop_eu_staging", "warehouse": "analytics", "marts": "shop_marts"])
        #expect(try reader.parse("").pipeline == "shop")
        #expect(try reader.parse("").sourceDatabase == "shop")
    }

    @Test func environmentOverridesConnectionStrings() throws {
        let config = try ConfigReader(file: "e.yml", environment: ["ENERGIZE_PG_URI": "postgresql://env/db"])
            .parse("destination: {pg_uri: postgresql://file/db}\nlock: {wait: 30m}\nschedule: {interval: 1h}")
        #expect(config.pgURI == "postgresql://env/db")
        #expect(config.lockWaitSeconds == 1_800)
        #expect(config.schedule == .interval(3_600))
    }

    @Test func inlineContractsKeepTheirFieldOrder() throws {
        let config = try reader.parse("""
            streams:
              - name: orders
                contract:
                  extra_fields: reject
                  fields: {z: string, a: {kind: number, optional: true}, m: {kind: document, fields: {x: date}}}
            """)
        #expect(config.streams[0].contract == [FieldRequirement("z", .string), FieldRequirement("a", .number, optional: true),
                                               FieldRequirement("m", .document([FieldRequirement("x", .date)]))])
        #expect(!config.streams[0].allowsExtraFields)
    }

    @Test(arguments: [
        ("sourse: {}", "/projects/shop/energize.yml: sourse: unknown key; expected one of batch_size, concurrency, description, destination, follow, lock, max_reject_ratio, pipeline, retries, schedule, schemas, source, streams, time_zone, transform, vars"),
        ("concurrency: two", "/projects/shop/energize.yml: concurrency: expected a whole number, got `two`"),
        ("streams:\n  - {name: sales, strategy: incremental, cursor: updated_at}", "/projects/shop/energize.yml: streams[0]: strategy `incremental` needs a `key`"),
        ("streams:\n  - {name: sales, strategy: incremental, key: id, cursor: meta.updated_at}",
         "/projects/shop/energize.yml: streams[0].cursor: expected a top-level field, not a nested path like `meta.updated_at`"),
        ("streams:\n  - {name: sales, strategy: incremental, key: id, cursor: u, lookback: 7x}", "/projects/shop/energize.yml: streams[0].lookback: expected a duration like 30s, 15m, 12h or 7d; got `7x`"),
        ("streams:\n  - {name: a, strategy: upsert}", "/projects/shop/energize.yml: streams[0].strategy: expected replace, append, merge or incremental; got `upsert`"),
        ("streams:\n  - {name: a}\n  - {name: a}", "/projects/shop/energize.yml: streams[1].name: a stream named `a` already exists"),
        ("streams:\n  - {name: a, colection: b}", "/projects/shop/energize.yml: streams[0].colection: unknown key; expected one of collection, contract, cursor, key, lookback, name, strategy, table"),
        ("schedule: {cron: '0 25 * * *'}", "/projects/shop/energize.yml: schedule.cron: hour field `25`: values run from 0 to 23"),
        ("max_reject_ratio: 5", "/projects/shop/energize.yml: max_reject_ratio: expected a number from 0 to 1, got `5` (a number)"),
        ("transform: {enabled: yes please}", "/projects/shop/energize.yml: transform.enabled: expected true or false, got `yes please`"),
        ("source: [1, 2]", "/projects/shop/energize.yml: source: expected a mapping of keys to values"),
        ("destination: {raw_schema: x}", "/projects/shop/energize.yml: destination.raw_schema: unknown key; expected one of pg_uri"),
        ("streams:\n  - {name: orders, contract: contracts/orders.yml}", "/projects/shop/energize.yml: streams[0].contract: no contract file contracts/orders.yml in /projects/shop"),
        ("streams:\n  - {name: orders, contract: {fields: {a: text}}}", "/projects/shop/energize.yml: streams[0].contract.fields.a: unknown kind `text`; expected one of string, whole_number, number, date, bool, object_id, document, documents, array, any"),
        ("streams:\n  - {name: orders, contract: {field: {a: string}}}", "/projects/shop/energize.yml: streams[0].contract.field: unknown key; expected one of description, extra_fields, fields"),
        ("follow: {batch_interval: 0s}", "/projects/shop/energize.yml: follow.batch_interval: expected a duration above zero, like 1s or 200ms"),
        ("follow: {transform_after_changes: 0}", "/projects/shop/energize.yml: follow.transform_after_changes: expected at least 1, got 0"),
        ("follow: {transform_every: soon}", "/projects/shop/energize.yml: follow.transform_every: expected a duration like 30s, 15m, 12h or 7d; got `soon`"),
        ("follow: {batch_size: 10}", "/projects/shop/energize.yml: follow.batch_size: unknown key; expected one of batch_changes, batch_interval, transform_after_changes, transform_every"),
        ("pipeline: \(String(repeating: "p", count: 60))", "/projects/shop/energize.yml: schemas.raw: `\(String(repeating: "p", count: 60))_raw`, named after the pipeline, is longer than PostgreSQL's 63 bytes: set a shorter one"),
    ])
    func mistakesNameTheFileTheKeyAndWhatWasExpected(yaml: String, message: String) {
        do {
            _ = try reader.parse(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func followSettingsDefaultAndReadFromTheFile() throws {
        #expect(try reader.parse("").follow == FollowSettings())
        #expect(!FollowSettings().transforms)
        let follow = try reader.parse("follow: {batch_changes: 500, batch_interval: 200ms, transform_every: 5m, transform_after_changes: 10000}").follow
        #expect([follow.batchChanges, follow.transformChanges] == [500, 10_000])
        #expect(follow.batchSeconds == 0.2 && follow.transformSeconds == 300 && follow.transforms)
    }

    @Test func durations() {
        #expect(ConfigReader.seconds("7d") == 604_800)
        #expect(ConfigReader.seconds("1.5h") == 5_400)
        #expect(ConfigReader.seconds("500ms") == 0.5)
        #expect(ConfigReader.seconds("7x") == nil)
        #expect(ConfigReader.seconds("-1s") == nil)
    }
}
