import ArgumentParser
import EnergizeCore
import Foundation
import Warehouse

/// `energize ls`: the project's streams, models and data tests.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the project's streams, models (materialization, relation, lineage) and data tests.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Print JSON for machines.")
    var json = false

    /// One model as listed.
    struct Entry: Encodable {
        var name: String
        var materialization: String
        var relation: String
        var dependsOn: [String]
        /// The raw tables it reads (`{{ raw('t') }}`), as `schema.table`.
        var sources: [String]
        var usedBy: [String]
        var tests: [String]
        var description: String?
    }

    func run() throws {
        let config = try options.load()
        let project = try ProjectModels(config: config, rawColumns: nil)
        let graph = project.graph
        let selected = try selection.resolve(in: graph)
        let entries = graph.order.filter(selected.contains).compactMap { name -> Entry? in
            guard let transform = graph.models[name] else { return nil }
            return Entry(name: name, materialization: transform.materializationName, relation: "\(transform.schema).\(name)",
                         dependsOn: transform.dependencies,
                         sources: (graph.model(name)?.sources ?? []).map { "\($0.schema).\($0.name)" },
                         usedBy: graph.order.filter { graph.models[$0]?.dependencies.contains(name) == true },
                         tests: project.tests.filter { $0.model == name }.map(\.name), description: graph.model(name)?.description)
        }
        if json {
            print(String(decoding: try MachineOutput.json(entries), as: UTF8.self))
            return
        }
        if selection.select.isEmpty {
            print("streams (\(config.streams.count)):")
            print(Table.render(header: ["stream", "strategy", "collection", "table", "contract"], rows: config.streams.map {
                [$0.name, $0.strategy.summary, $0.collection, "\(config.rawSchema).\($0.table)",
                 $0.contract.isEmpty ? "none" : "\($0.contract.count) fields\($0.allowsExtraFields ? "" : ", no others")"]
            }, rightAligned: []))
            print("")
        }
        print("models (\(entries.count)):")
        print(Table.render(header: ["model", "materialization", "relation", "depends on", "tests"], rows: entries.map {
            [$0.name, $0.materialization, $0.relation, ($0.sources + $0.dependsOn).joined(separator: ", "), String($0.tests.count)]
        }, rightAligned: [4]))
        print("\ndata tests: \(entries.map(\.tests.count).reduce(0, +))")
    }
}
