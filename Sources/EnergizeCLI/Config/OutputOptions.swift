import ArgumentParser
import Logging

/// How a command reports: live progress on a terminal, log lines elsewhere, JSON for machines.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Log lines as text or JSON objects (one per line).")
    var logFormat: Format = .text

    @Flag(help: "Print only the summary's last lines (and warnings).")
    var quiet = false

    @Flag(help: "Log every batch.")
    var verbose = false

    /// Bootstraps logging and returns the CLI's logger.
    func logger() -> Logger {
        LogSetup.bootstrap(json: logFormat == .json, level: verbose ? .debug : quiet ? .warning : .info)
        return Logger(label: "energize")
    }
}
