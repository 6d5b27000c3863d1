// swift-tools-version: 6.2
import PackageDescription

/// Strict settings for every target of ours (EXAMPLES.md habit 14).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Test targets: Swift 6 mode; the macro expansions of Swift Testing do not build with the import upcoming features.
let testSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Quaero",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "QuaeroQueue", targets: ["QuaeroQueue"]),
        .library(name: "QuaeroSQLite", targets: ["QuaeroSQLite"]),
        .library(name: "QuaeroPostgres", targets: ["QuaeroPostgres"]),
        .library(name: "Quaero", targets: ["Quaero"]),
        .executable(name: "quaero", targets: ["QuaeroCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already in the graph through async-http-client; named for the fetcher and the tests' HTTP server.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already in the graph through Hummingbird; named for the HTTP parts a channel handler of ours sees.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Already in the graph through Hummingbird; named because its status and header members are used directly.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in the graph through async-http-client (4.5.2 resolved); named for SHA-256 content hashes.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // glibc's mallopt for the `quaero` binary (MallocTuning).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // libxml2's HTML parser for the crawler (DESIGN.md §14); libxml2-dev provides libxml-2.0.pc.
        // libpq, PostgreSQL's C client, for the PostgreSQL store (docs/postgresql.md: why not postgres-nio);
        // libpq-dev provides libpq.pc and its headers.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),

        // The engine: queue, jobs, workers, logs and the store protocol. No SQL, no database.
        .target(
            name: "QuaeroQueue",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The SQLite store and its migration chain (SQL files compiled into the binary).
        .target(
            name: "QuaeroSQLiteSchema",
            dependencies: ["QuaeroQueue"],
            path: "Migrations/sqlite/engine",
            resources: [.embedInCode("sql")],
            swiftSettings: strictSettings
        ),
        // SQLite's default VFS with a transaction's write-ahead log writes gathered into one (quaero_wal_vfs.c).
        .target(name: "CSQLiteWAL", dependencies: ["CSQLite"], path: "Sources/CSQLiteWAL"),
        .target(
            name: "QuaeroSQLite",
            dependencies: [
                "CSQLite", "CSQLiteWAL", "QuaeroQueue", "QuaeroSQLiteSchema",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),

        // The PostgreSQL store and its migration chain (SQL files compiled into the binary).
        .target(
            name: "QuaeroPostgresSchema",
            dependencies: ["QuaeroQueue"],
            path: "Migrations/postgres/engine",
            resources: [.embedInCode("sql")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "QuaeroPostgres",
            dependencies: [
                "QuaeroQueue", "QuaeroPostgresSchema", "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The app: configuration, composition, the crawler, summarizer and cleanup jobs, documents, HTTP API.
        .target(
            name: "QuaeroSQLiteAppSchema",
            dependencies: ["QuaeroQueue"],
            path: "Migrations/sqlite/app",
            resources: [.embedInCode("sql")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "QuaeroPostgresAppSchema",
            dependencies: ["QuaeroQueue"],
            path: "Migrations/postgres/app",
            resources: [.embedInCode("sql")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Quaero",
            dependencies: [
                "QuaeroQueue", "QuaeroSQLite", "QuaeroSQLiteAppSchema", "QuaeroPostgres", "QuaeroPostgresAppSchema",
                "CLibXML2",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // NIOConnectionError, to say why a connection failed (ConnectionErrorText).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The HTTP API (routes, server-sent events, metrics, the OpenAPI document) over the app.
        .target(
            name: "QuaeroHTTP",
            dependencies: [
                "Quaero", "QuaeroQueue",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // HMAC-SHA256 for the dashboard's session cookie.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The OpenAPI document of the HTTP API, served at /openapi.json, and the dashboard's assets.
            resources: [
                .embedInCode("openapi.json"),
                .embedInCode("Dashboard/Assets/dashboard.css"),
                .embedInCode("Dashboard/Assets/dashboard.js"),
                .embedInCode("Dashboard/Assets/icon.svg"),
            ],
            swiftSettings: strictSettings
        ),

        // `quaero bench`: not part of the embeddable libraries.
        .target(
            name: "QuaeroBench",
            dependencies: ["QuaeroQueue", "QuaeroSQLite", "QuaeroPostgres", "CSQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "QuaeroCLI",
            dependencies: [
                "QuaeroHTTP", "Quaero", "QuaeroQueue", "QuaeroSQLite", "QuaeroPostgres", "QuaeroBench", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Helpers the tests run as child processes, and shared test support.
        .executableTarget(
            name: "QuaeroCrashWorker",
            dependencies: ["QuaeroQueue", "QuaeroSQLite"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "QuaeroCrawlWorker",
            dependencies: ["Quaero", "QuaeroQueue"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "QuaeroNodeWorker",
            dependencies: ["Quaero", "QuaeroQueue", "QuaeroTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "QuaeroTestSupport",
            dependencies: [
                "QuaeroQueue", "QuaeroSQLite", "QuaeroSQLiteAppSchema", "QuaeroPostgres",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "QuaeroQueueTests",
            dependencies: [
                "QuaeroQueue", "QuaeroTestSupport", "QuaeroCrashWorker",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "QuaeroSQLiteTests",
            dependencies: [
                "QuaeroSQLite", "QuaeroQueue", "QuaeroSQLiteSchema", "QuaeroTestSupport", "QuaeroBench", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "QuaeroPostgresTests",
            // Several real `quaero worker` processes on one PostgreSQL; the store's own behaviour (reconnects,
            // vacuum, the leader).
            dependencies: [
                "QuaeroPostgres", "QuaeroPostgresSchema", "QuaeroQueue", "QuaeroTestSupport", "QuaeroSQLiteSchema",
                "QuaeroSQLiteAppSchema", "QuaeroPostgresAppSchema", "QuaeroSQLite", "Quaero", "QuaeroNodeWorker",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "QuaeroTests",
            dependencies: [
                "Quaero", "QuaeroTestSupport", "QuaeroCrawlWorker",
                .product(name: "Logging", package: "swift-log"),
                // A real HTTP server on 127.0.0.1 for the fetcher's tests.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "QuaeroHTTPTests",
            dependencies: [
                "QuaeroHTTP", "Quaero", "QuaeroQueue", "QuaeroTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // Many concurrent streaming requests (the event stream bound), which HummingbirdTesting's client does not make.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "QuaeroCLITests",
            // The commands run in the real binary; the tests prepare database files through the store.
            dependencies: ["QuaeroTestSupport", "QuaeroQueue", "QuaeroSQLite"],
            swiftSettings: testSettings
        ),
    ]
)
