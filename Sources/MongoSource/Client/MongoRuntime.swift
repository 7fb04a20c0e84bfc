internal import CMongoC
import Foundation

/// Calls `mongoc_init()` once per process, before the first client is made.
enum MongoRuntime {
    private static let initialized: Bool = {
        mongoc_init()
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}
