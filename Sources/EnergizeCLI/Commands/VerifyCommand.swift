import ArgumentParser
import EnergizeCore
import MongoSource
import PGSink

/// `energize verify`: checks that every source document is in its table or in `_rejects`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare each stream's MongoDB documents with its PostgreSQL rows and rejected documents, key by key.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let balances = try LoadBalance.measure(mongoURI: try config.requireMongo(), database: config.sourceDatabase,
                                               pgURI: try config.requirePG(), rawSchema: config.rawSchema, metaSchema: config.metaSchema,
                                               streams: config.streams)
        let rows = balances.map { balance -> [String] in
            guard balance.loaded else { return [balance.stream, String(balance.sourceDocuments), "-", "-", "-", "-", "-", "NOT LOADED"] }
            return [balance.stream, String(balance.sourceDocuments), String(balance.tableRows), String(balance.rejected),
                    String(balance.missing.count), String(balance.extra.count + balance.goneRejected.count), String(balance.stale.count),
                    balance.balanced ? "ok" : "MISMATCH"]
        }
        print(Table.render(header: ["stream", "mongodb", "table rows", "rejected", "missing", "gone", "stale", "every key accounted for"],
                           rows: rows, rightAligned: [1, 2, 3, 4, 5, 6]))
        for balance in balances {
            if !balance.loaded { print("  \(balance.stream): no table \(config.rawSchema).\(balance.stream) yet: run `energize run`") }
            func say(_ keys: LoadBalance.Keys, _ what: String) {
                guard !keys.isEmpty else { return }
                let more = keys.count > 5 ? ", … (\(keys.count) in all)" : ""
                print("  \(balance.stream): \(what): " + keys.examples.prefix(5).joined(separator: ", ") + more)
            }
            say(balance.missing, "in MongoDB, neither in the table nor rejected")
            let stream = config.streams.first { $0.name == balance.stream }
            let why = switch stream?.strategy {
            case .incremental: "deleted outside the look-back window, or not read again"
            case .merge: "a merge load keeps the rows of deleted documents"
            case .append: "an append load keeps every row it loaded"
            default: "deleted after the last load"
            }
            say(balance.extra, "in the table, gone from MongoDB (\(why))")
            say(balance.goneRejected, "in _rejects, gone from MongoDB (deleted after it was rejected; a batch load does not see that delete)")
            say(balance.stale, "in the table as an older version whose newer one was rejected (see _rejects)")
            if !balance.missing.isEmpty || !balance.extra.isEmpty || !balance.goneRejected.isEmpty {
                print("  \(balance.stream): `energize run --reload --streams \(balance.stream)` reads the whole collection once and makes the table and its rejects what MongoDB holds")
            }
            if !balance.stale.isEmpty {
                // A reload keeps them too: a rejected version never replaces a loaded one.
                print("  \(balance.stream): a stale row stays until its document's current version loads: fix the document in MongoDB "
                      + "(or the stream's contract; `_rejects` says why it was rejected), and the next run loads it")
            }
        }
        if balances.contains(where: { !$0.balanced }) { throw ExitCode(1) }
    }
}
