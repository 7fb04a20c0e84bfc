internal import CMongoC
import EnergizeCore
import Foundation
import Synchronization

/// libmongoc's process-wide set-up, `mongoc_init()`, done once: by the first ``MongoClient`` made,
/// or earlier by a program's own call to ``ensureInitialized()`` at its start. Calling it there,
/// before other threads run, is better: the set-up writes the environment (below), and `setenv`
/// must not race a `getenv` on another thread (libpq reads the environment when it connects).
///
/// libmongoc's performance counters are kept in process memory, not in a shared-memory segment
/// (`MONGOC_DISABLE_SHM`): the segment, `/dev/shm/mongoc-<pid>`, only serves the `mongoc-stat`
/// tool; a killed process leaves it behind, and a later process given the same pid then warns
/// "Falling back to malloc for counters" on stderr. A variable the user set already is left as it is.
///
/// libmongoc's own log lines (a URI it cannot parse, an option it does not know) go to stderr as
/// one `libmongoc warning: …` line, warnings and worse only, with the secrets of every connection
/// string given to a ``MongoClient`` masked: its default handler printed them with a timestamp and
/// a pid, and a driver may repeat a piece of the string it was given.
public enum MongoRuntime {
    private static let initialized: Bool = {
        setenv("MONGOC_DISABLE_SHM", "1", 0)
        // Before mongoc_init, which may log too. libmongoc calls it from its own threads, one at a
        // time; a failed write to stderr is ignored (FileHandle's would trap).
        mongoc_log_set_handler({ level, _, message, _ in
            guard level.rawValue <= MONGOC_LOG_LEVEL_WARNING.rawValue, let message else { return }
            let name = switch level.rawValue {
            case MONGOC_LOG_LEVEL_ERROR.rawValue: "error"
            case MONGOC_LOG_LEVEL_CRITICAL.rawValue: "critical"
            default: "warning"
            }
            let text = MongoRuntime.connectionStrings.withLock { strings in
                strings.reduce(String(cString: message)) { Redaction.scrub($0, connectionString: $1) }
            }
            let line = Array("libmongoc \(name): \(text)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }, nil)
        mongoc_init()
        return true
    }()

    /// The connection strings given to clients of this process, whose secrets libmongoc's log
    /// lines must not show.
    private static let connectionStrings = Mutex<[String]>([])

    /// Sets libmongoc up, once per process; later calls do nothing.
    public static func ensureInitialized() {
        _ = initialized
    }

    /// Remembers a connection string whose secrets libmongoc's log lines must not show.
    /// - Parameter connectionString: a URI given to libmongoc.
    static func protect(_ connectionString: String) {
        connectionStrings.withLock { strings in
            if !strings.contains(connectionString) { strings.append(connectionString) }
        }
    }
}
