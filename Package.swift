// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "chatty",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chatty-tui", targets: ["ChatTUI"]),
        .executable(name: "chatty-bench", targets: ["ChatBench"]),
        .executable(name: "chatty-history-bench", targets: ["ChatHistoryBench"]),
        .executable(name: "chatty-fuzz", targets: ["ChatFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CNcurses",
            path: "Sources/CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "ChatCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
            ]
            // No unsafe flags (another package may depend on a library target): what the server's
            // hot paths call across modules is @inlinable instead (ChunkedArray; measured in
            // docs/BENCHMARKS.md, "Cross-module optimisation without the flag").
        ),
        .target(
            name: "ChatServer",
            dependencies: [
                "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ChatClient",
            dependencies: [
                "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "ChatTUI",
            dependencies: [
                "ChatCore",
                "ChatClient",
                "ChatServer",
                "CNcurses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ChatBench",
            dependencies: [
                "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // The generator must outrun the servers it measures: its per-line handler mutates
            // its own counters and tables, and the runtime exclusivity checks on those accesses
            // were about a fifth of its CPU. The code has no overlapping accesses (the checks stay
            // on in debug builds, where the tests run).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // libFuzzer targets (scripts/fuzz builds it with -sanitize=fuzzer,address -D CHATTY_FUZZ;
        // a normal build makes a program that only says how to build it).
        .executableTarget(
            name: "ChatFuzz",
            dependencies: [
                "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ChatHistoryBench",
            dependencies: [
                "ChatCore",
                "ChatServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChattyTestSupport",
            dependencies: [
                "ChatCore",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/ChattyTestSupport"
        ),
        .testTarget(
            name: "ChatCoreTests",
            dependencies: [
                "ChatCore",
                "ChattyTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChatServerTests",
            dependencies: [
                "ChatCore",
                "ChattyTestSupport",
                "ChatServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ChatClientTests",
            dependencies: [
                "ChatCore",
                "ChatClient",
            ]
        ),
        .testTarget(
            name: "ChatTUITests",
            dependencies: [
                "ChatTUI",
                "ChatClient",
                "ChattyTestSupport",
                "ChatCore",
                "ChatServer",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
