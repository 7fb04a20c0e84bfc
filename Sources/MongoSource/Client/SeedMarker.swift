import EnergizeCore

/// Keeps `seed` commands away from real data: a database is seeded only when every collection
/// in it that holds documents was written by a seed (listed in the `_energize_seed`
/// collection), unless forced. An empty collection holds nothing to protect.
package enum SeedMarker {
    /// The collection that lists what seeds wrote.
    package static let collection = "_energize_seed"

    /// Throws unless every collection of `database` was written by a seed (or `force` is set).
    /// - Parameters:
    ///   - client: a client of the deployment.
    ///   - database: the database to seed.
    ///   - force: seed even a database holding other collections.
    /// - Throws: `MongoError` naming the collections a seed did not write.
    package static func check(_ client: MongoClient, database: String, force: Bool) throws {
        guard !force else { return }
        let names = try client.collectionNames(in: database).filter { $0 != collection && !$0.hasPrefix("system.") }
        guard !names.isEmpty else { return }
        var seeded = Set<String>()
        let cursor = client.collection(collection, in: database).find()
        while let document = try cursor.next() {
            if case .string(let name)? = document["_id"] { seeded.insert(name) }
        }
        let foreign = try names.filter { try !seeded.contains($0) && client.collection($0, in: database).estimatedCount() > 0 }
        guard foreign.isEmpty else {
            throw MongoError(operation: "seed \(database)", message: """
                database \(database) holds collections no seed wrote (\(foreign.joined(separator: ", "))): it looks like real data, \
                and seeding drops collections; pass --force to seed it anyway
                """)
        }
    }

    /// Records that a seed wrote `collections` of `database`.
    /// - Parameters:
    ///   - client: a client of the deployment.
    ///   - database: the seeded database.
    ///   - collections: what the seed wrote.
    package static func mark(_ client: MongoClient, database: String, collections: [String]) throws {
        let marker = client.collection(collection, in: database)
        for name in collections {
            try marker.deleteMany(["_id": .string(name)])
            try marker.insertMany([["_id": .string(name)]])
        }
    }
}
