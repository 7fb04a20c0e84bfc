import ArgumentParser

/// The `energize` command line: a project's MongoDB → PostgreSQL extract-load, models and data tests.
public struct EnergizeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "energize",
        abstract: "Move MongoDB operational data into a PostgreSQL warehouse.",
        subcommands: [RunCommand.self, ScheduleCommand.self, StatusCommand.self, TransformCommand.self, TestCommand.self,
                      CompileCommand.self, ListCommand.self, DebugCommand.self, InitCommand.self, SeedCommand.self,
                      VerifyCommand.self, AirflowDAGCommand.self])

    /// The root command before its arguments are parsed (ArgumentParser sets its options).
    public init() {}
}

extension EnergizeCommand {
    /// Parses the process arguments, runs the chosen subcommand and exits with its status.
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
