internal import CMongoC
import Foundation

/// libmongoc's process-wide set-up, `mongoc_init()`, done once: by the first ``MongoClient`` made,
/// or earlier by a program's own call to ``ensureInitialized()`` at its start. Calling it there,
/// before other threads run, is better: the set-up writes the environment (below), and `setenv`
/// must not race a `getenv` on another thread (libpq reads the environment when it connects).
///
/// libmongoc's performance counters are kept in process memory, not in a shared-memory segment
/// (`MONGOC_DISABLE_SHM`): the segment, `/dev/shm/mongoc-<pid>`, only serves the `mongoc-stat`
/// tool; a killed process leaves it behind, and a later process given the same pid then warns
/// "Falling back to malloc for counters" on stderr. A variable the user set already is left as it is.
public enum MongoRuntime {
    private static let initialized: Bool = {
        setenv("MONGOC_DISABLE_SHM", "1", 0)
        mongoc_init()
        return true
    }()

    /// Sets libmongoc up, once per process; later calls do nothing.
    public static func ensureInitialized() {
        _ = initialized
    }
}
