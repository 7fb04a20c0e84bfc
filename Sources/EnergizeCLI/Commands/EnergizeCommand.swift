import ArgumentParser
import Foundation

/// The `energize` command line: a project's MongoDB → PostgreSQL extract-load, models and data tests.
public struct EnergizeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "energize",
        abstract: "Move MongoDB operational data into a PostgreSQL warehouse.",
        discussion: ExitStatus.help,
        subcommands: [RunCommand.self, FollowCommand.self, ScheduleCommand.self, StatusCommand.self, TransformCommand.self, TestCommand.self,
                      CompileCommand.self, ListCommand.self, DebugCommand.self, InitCommand.self, SeedCommand.self,
                      VerifyCommand.self, AirflowDAGCommand.self, DocsCommand.self, ServeCommand.self])

    /// The root command before its arguments are parsed (ArgumentParser sets its options).
    public init() {}
}

extension EnergizeCommand {
    /// Parses the process arguments, runs the chosen subcommand and exits with its status.
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // Help and version print and exit 0; a bad flag prints the usage and exits 2.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.usage)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.usage)
        } catch {
            // `--help` of a subcommand arrives here, from ArgumentParser's help command.
            if !(error is ExitCode), exitCode(for: error) == .success { exit(withError: error) }
            let (status, message) = ExitStatus.of(error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(status)
        }
    }
}
