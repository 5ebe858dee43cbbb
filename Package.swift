// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["SwitchboardMain"]),
        .library(name: "Queue", targets: ["Queue"]),
        .library(name: "ChatStore", targets: ["ChatStore"]),
        .library(name: "Enqueuer", targets: ["Enqueuer"]),
        .library(name: "Workers", targets: ["Workers"]),
        .library(name: "HTTPClient", targets: ["HTTPClient"]),
        .library(name: "WebSocket", targets: ["WebSocket"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "Authentication", targets: ["Authentication"]),
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        .systemLibrary(name: "CSystem"),
        .target(name: "CFeishuFrame", dependencies: ["CProtobufC"], exclude: ["pbbp2.proto"]),
        .target(name: "JSON"),
        .target(
            name: "Queue", dependencies: ["JSON", "CSQLite", "CPostgres", "CCrypto", "CSystem"], exclude: ["Chat"]),
        .target(name: "ChatStore", dependencies: ["Queue", "CCrypto"], path: "Sources/Queue/Chat"),
        .target(name: "Enqueuer", dependencies: ["JSON", "Queue", "ChatStore", "CCrypto"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        .target(name: "WebSocket", dependencies: ["CWebSockets"]),
        .target(
            name: "Workers",
            dependencies: [
                "JSON", "Queue", "ChatStore", "Enqueuer", "HTTPClient", "WebSocket", "CFeishuFrame", "CSystem",
            ]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD"]),
        .target(name: "Authentication", dependencies: ["CCrypto", "JSON", "HTTPClient"]),
        .target(
            name: "Harness",
            dependencies: [
                "JSON", "Queue", "ChatStore", "Enqueuer", "Workers", "HTTPClient", "HTTPServer", "WebSocket",
            ]
        ),
        .target(
            name: "switchboard",
            dependencies: [
                "JSON", "Queue", "ChatStore", "Enqueuer", "Workers", "HTTPClient", "HTTPServer", "Authentication",
                "Harness",
            ],
            // Compiled into the binary, which is deployed alone: no bundle of resources beside it.
            resources: [.embedInCode("Commands/Serve/API/openapi.json")]
        ),
        .executableTarget(name: "SwitchboardMain", dependencies: ["switchboard"]),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "JSON", "Queue", "ChatStore", "Enqueuer", "Workers", "HTTPClient", "HTTPServer", "WebSocket",
                "switchboard", "CCrypto", "Authentication",
            ]
        ),
        .testTarget(
            name: "SwitchboardTests",
            dependencies: [
                "JSON", "Queue", "ChatStore", "Enqueuer", "Workers", "HTTPClient", "HTTPServer", "Harness", "CSQLite",
                "WebSocket", "SwitchboardMain", "switchboard", "Authentication",
                "FuzzTargets",
            ],
            exclude: [
                "Enqueuer/Fixtures", "Serve/Browser", "Serve/APIScripts", "Workers/Agents", "Workers/AttachmentScripts",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
