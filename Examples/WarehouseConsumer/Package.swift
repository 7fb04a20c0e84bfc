// swift-tools-version: 6.0
// A package of its own that uses energize as a library, through its public API only: it builds
// a pipeline (MongoDB-shaped documents → PostgreSQL raw tables), an SCD2 dimension and a fact
// on it, prints their plans, and runs them. `make test` builds and runs it.
import PackageDescription

let package = Package(
    name: "WarehouseConsumer",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "energize", path: "../..")],
    targets: [
        .executableTarget(
            name: "WarehouseConsumer",
            dependencies: [
                .product(name: "EnergizeCore", package: "energize"),
                .product(name: "PGSink", package: "energize"),
                .product(name: "Warehouse", package: "energize"),
                .product(name: "EnergizeTesting", package: "energize"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
