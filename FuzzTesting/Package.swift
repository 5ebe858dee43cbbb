// swift-tools-version: 6.0
import PackageDescription

// The libFuzzer build of Switchboard's fuzz targets: one executable, `SwitchboardFuzz`, that runs the target
// `FUZZ_TARGET` names. It lives in a package of its own because it has no `main` of its own
// (libFuzzer's is linked in by `--sanitize=fuzzer`), so it links only in that build; `ops/fuzz.sh` builds
// and runs it. The targets themselves are the main package's `FuzzTargets`, which the tests replay.
let package = Package(
    name: "SwitchboardFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Switchboard", path: "..")],
    targets: [
        .executableTarget(
            name: "SwitchboardFuzz",
            dependencies: [.product(name: "FuzzTargets", package: "Switchboard")]
        )
    ],
    swiftLanguageModes: [.v6]
)
