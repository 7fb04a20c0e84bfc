import EnergizeCLI
import EnergizeCore
import Testing

@Suite struct ConfigReaderTests {
    let reader = ConfigReader(file: "energize.yml", environment: [:])

    @Test func theStarterFileReadsAsTheEnergizeTechDefaults() throws {
        let config = try reader.parse(StarterConfig.text)
        #expect(config.pipeline == "energizetech")
        #expect(config.streams.map(\.name) == ["customers", "products", "stores", "sales", "transactions"])
        #expect(config.streams[3].strategy == .incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)))
        #expect(!config.streams[3].contract.isEmpty)
        #expect(config.schedule == .cron(try CronExpression("0 3 * * *")))
        #expect(config.retry == RetryPolicy(retries: 3, initialDelay: 10, maxDelay: 600, jitter: 0.2))
        #expect(config.lockWaitSeconds == nil)
    }

    @Test func environmentOverridesConnectionStrings() throws {
        let config = try ConfigReader(file: "e.yml", environment: ["ENERGIZE_PG_URI": "postgresql://env/db"])
            .parse("destination: {pg_uri: postgresql://file/db}\nlock: {wait: 30m}\nschedule: {interval: 1h}")
        #expect(config.pgURI == "postgresql://env/db")
        #expect(config.lockWaitSeconds == 1_800)
        #expect(config.schedule == .interval(3_600))
    }

    @Test(arguments: [
        ("sourse: {}", "energize.yml: sourse: unknown key; expected one of batch_size, concurrency, destination, lock, max_reject_ratio, pipeline, retries, schedule, source, streams, transform"),
        ("concurrency: two", "energize.yml: concurrency: expected a whole number, got `two`"),
        ("streams:\n  - {name: sales, strategy: incremental, cursor: updated_at}", "energize.yml: streams[0]: strategy `incremental` needs a `key`"),
        ("streams:\n  - {name: sales, strategy: incremental, key: id, cursor: u, lookback: 7x}", "energize.yml: streams[0].lookback: expected a duration like 30s, 15m, 12h or 7d; got `7x`"),
        ("streams:\n  - {name: a, strategy: upsert}", "energize.yml: streams[0].strategy: expected replace, append, merge or incremental; got `upsert`"),
        ("streams:\n  - {name: a}\n  - {name: a}", "energize.yml: streams[1].name: a stream named `a` already exists"),
        ("streams:\n  - {name: a, colection: b}", "energize.yml: streams[0].colection: unknown key; expected one of collection, contract, cursor, key, lookback, name, strategy, table"),
        ("schedule: {cron: '0 25 * * *'}", "energize.yml: schedule.cron: hour field `25`: values run from 0 to 23"),
        ("max_reject_ratio: 5", "energize.yml: max_reject_ratio: expected a number from 0 to 1, got `5` (a number)"),
        ("transform: {enabled: yes please}", "energize.yml: transform.enabled: expected true or false, got `yes please`"),
        ("source: [1, 2]", "energize.yml: source: expected a mapping of keys to values"),
        ("streams:\n  - {name: orders, contract: energizetech}", "energize.yml: streams[0].contract: the energizetech contract has no stream `orders`; it has customers, products, stores, sales, transactions"),
    ])
    func mistakesNameTheFileTheKeyAndWhatWasExpected(yaml: String, message: String) {
        do {
            _ = try reader.parse(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func durations() {
        #expect(ConfigReader.seconds("7d") == 604_800)
        #expect(ConfigReader.seconds("1.5h") == 5_400)
        #expect(ConfigReader.seconds("500ms") == 0.5)
        #expect(ConfigReader.seconds("7x") == nil)
        #expect(ConfigReader.seconds("-1s") == nil)
    }
}
