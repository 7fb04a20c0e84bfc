import ArgumentParser

/// Where the warehouse is and where its raw tables are.
struct WarehouseOptions: ParsableArguments {
    @OptionGroup var connections: ConnectionOptions

    @Option(help: "Schema of the raw tables and _rejects.")
    var rawSchema = "public"
}
