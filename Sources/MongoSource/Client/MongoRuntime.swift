internal import CMongoC
import Foundation

/// Calls `mongoc_init()` once per process, before the first client is made.
///
/// libmongoc's performance counters are kept in process memory, not in a shared-memory
/// segment (`MONGOC_DISABLE_SHM`): the segment, `/dev/shm/mongoc-<pid>`, only serves the
/// `mongoc-stat` tool; a killed process leaves it behind, and a later process given the same
/// pid then prints "Falling back to malloc for counters" — into a `--json` pipe among others.
/// A variable the user set already is left as it is.
enum MongoRuntime {
    private static let initialized: Bool = {
        setenv("MONGOC_DISABLE_SHM", "1", 0)
        mongoc_init()
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
