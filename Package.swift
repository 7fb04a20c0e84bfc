// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "energize",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "EnergizeCore", targets: ["EnergizeCore"]),
        .library(name: "MongoSource", targets: ["MongoSource"]),
        .library(name: "PGSink", targets: ["PGSink"]),
        .library(name: "Warehouse", targets: ["Warehouse"]),
        .library(name: "EnergizeTesting", targets: ["EnergizeTesting"]),
        .executable(name: "energize", targets: ["energize"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `energize serve`: a small HTTP server on BSD sockets and Swift concurrency, no other dependency.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // `swift package generate-documentation --target Warehouse` (make docs); a plugin, never linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMongoC", pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev", "libbson-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),

        .target(name: "EnergizeCore"),
        .target(name: "MongoSource", dependencies: ["EnergizeCore", "CMongoC", "CZlib"]),
        .target(name: "PGSink", dependencies: ["EnergizeCore", "CLibPQ"]),
        .target(name: "Warehouse", dependencies: ["EnergizeCore"]),
        .target(name: "EnergizeTesting", dependencies: ["EnergizeCore"]),
        .target(
            name: "EnergizeCLI",
            dependencies: [
                "EnergizeCore", "MongoSource", "PGSink", "Warehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]),
        .executableTarget(name: "energize", dependencies: ["EnergizeCLI", "MongoSource", "CMalloc"]),
        .executableTarget(
            name: "energize-bench",
            dependencies: ["EnergizeCore", "MongoSource", "PGSink", "EnergizeTech", "EnergizeCLI"]),

        .target(name: "FleetPipeline", dependencies: ["EnergizeCore"], path: "Examples/FleetPipeline"),
        .executableTarget(
            name: "CustomPipeline",
            dependencies: ["EnergizeCore", "FleetPipeline", "MongoSource", "PGSink"],
            path: "Examples/CustomPipeline"),
        // The EnergizeTech example project: its synthetic data generator and the command that writes it.
        .target(name: "EnergizeTech", dependencies: ["EnergizeCore", "MongoSource"], path: "Examples/energizetech/Generator"),
        .executableTarget(
            name: "energizetech-data",
            dependencies: ["EnergizeCLI", "EnergizeTech", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/energizetech/DataCommand"),
        .testTarget(name: "EnergizeTechTests", dependencies: ["EnergizeTech", "EnergizeCLI", "EnergizeCore"],
                    path: "Examples/energizetech/GeneratorTests"),
        .testTarget(name: "FleetPipelineTests", dependencies: ["FleetPipeline", "EnergizeCore", "EnergizeTesting"],
                    path: "Examples/FleetPipelineTests"),

        .testTarget(name: "EnergizeCoreTests", dependencies: ["EnergizeCore", "EnergizeTesting"]),
        .testTarget(name: "MongoSourceTests", dependencies: ["MongoSource", "EnergizeCore", "CMongoC"]),
        .testTarget(name: "PGSinkTests", dependencies: ["PGSink", "EnergizeCore"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "EnergizeCore", "EnergizeTesting"]),
        .testTarget(name: "EnergizeCLITests", dependencies: ["EnergizeCLI", "EnergizeCore", "EnergizeTesting"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["EnergizeCore", "EnergizeTesting", "MongoSource", "PGSink", "EnergizeTech", "EnergizeCLI", "CMongoC", "CZlib"]),
    ],
    swiftLanguageModes: [.v6]
)
