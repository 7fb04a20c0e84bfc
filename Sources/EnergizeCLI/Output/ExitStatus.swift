import ArgumentParser
import Foundation
import Warehouse

/// The exit statuses of every `energize` command: one table, in the README and each `--help`.
///
/// | status | meaning |
/// |---|---|
/// | 0 | done |
/// | 1 | something failed while running: a stream, a model, a server, a lost lock (the message says which and why) |
/// | 2 | usage or configuration: a bad flag, a mistake in energize.yml, a contract or a model file, no project, no connection string |
/// | 3 | a stream rejected more than `max_reject_ratio` of its documents (the data loaded) |
/// | 4 | a data test failed |
/// | 5 | another run holds the pipeline's lock |
/// | 6 | stopped by SIGINT/SIGTERM: what was running committed or rolled back |
enum ExitStatus {
    static let failed: Int32 = 1
    static let usage: Int32 = 2

    /// The table for `--help` texts.
    static let help = "Exit status: 0 done, 1 failed, 2 usage or configuration error, 3 too many rejects, 4 a data test failed, 5 locked by another run, 6 stopped."

    /// What a status means, in a few words (`a data test failed`).
    /// - Parameter status: an exit status of the table above.
    static func meaning(_ status: Int32) -> String {
        switch status {
        case 0: "done"
        case 1: "failed"
        case 2: "usage or configuration error"
        case 3: "too many rejects"
        case 4: "a data test failed"
        case 5: "locked by another run"
        case 6: "stopped"
        default: "status \(status)"
        }
    }

    /// The status and message of an error that ends a command.
    static func of(_ error: any Error) -> (status: Int32, message: String) {
        switch error {
        case let exit as ExitCode: (exit.rawValue, "")
        case is ConfigError, is ModelFileError, is ModelGraph.Invalid, is ConfigurationMissing: (usage, "error: \(error)")
        default: (failed, "error: \(error)")
        }
    }
}

/// A command needs something the configuration does not give (a project, a connection
/// string, a schedule), was given one it cannot use (a URI whose password is not
/// percent-encoded), or was asked to do what it will not (overwrite a project, reload a
/// collection MongoDB lacks): a configuration error, said in one line without the usage text.
struct ConfigurationMissing: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
