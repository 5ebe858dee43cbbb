import Foundation
import Harness
import Testing

private let systemdAnalyze = "/usr/bin/systemd-analyze"

/// The systemd units in `ops/systemd`, rated by systemd's own sandboxing analysis, offline.
@Suite(
    "systemd units",
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: systemdAnalyze),
        "systemd-analyze is not installed (Debian package systemd)"))
struct SystemdUnitTests {
    static let units = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ops/systemd")

    @Test(
        "every unit, with the shared hardening drop-in, is rated 2.0 or lower by systemd-analyze security",
        arguments: [
            "switchboard-worker@1", "switchboard-worker-postgres@1", "switchboard-serve", "switchboard-poll@telegram",
            "switchboard-receive",
            "switchboard-dlq-purge", "switchboard-backup",
        ])
    func exposure(unit: String) async throws {
        let directory = try TestDirectory()
        let root = directory.url.appendingPathComponent("root")
        let system = root.appendingPathComponent("etc/systemd/system")
        try FileManager.default.createDirectory(
            at: system.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.units, to: system)
        let child = try SwitchboardChild(
            executable: systemdAnalyze,
            arguments: ["security", "--offline=true", "--root=\(root.path)", "--threshold=20", "\(unit).service"],
            errorOutput: .capture)
        let result = await child.finish()
        #expect(result.status == 0, "\(result.stdout.suffix(2_000)) \(result.stderr)")
        let rating = result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let level: Double? = rating.split(separator: " ").compactMap { Double($0) }.first
        #expect((level ?? 10) <= 2.0, "\(unit): \(rating)")
    }
}

/// What the units restart on: never on an exit no restart mends.
@Suite("systemd restart policy")
struct SystemdRestartTests {
    @Test("every unit that restarts does not restart on 64, 65, 69 or 78 (a setting PostgreSQL refuses)")
    func restartPrevented() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SystemdUnitTests.units.path)
            .filter { $0.hasSuffix(".service") }
        var restarting = 0
        for file in files {
            let text = try String(contentsOf: SystemdUnitTests.units.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\n")
            guard lines.contains(where: { $0.hasPrefix("Restart=") && $0 != "Restart=no" }) else { continue }
            restarting += 1
            let prevented =
                lines.first { $0.hasPrefix("RestartPreventExitStatus=") }?
                .dropFirst("RestartPreventExitStatus=".count).split(separator: " ").map(String.init) ?? []
            #expect(Set(["64", "65", "69", "78"]).isSubset(of: prevented), "\(file): \(prevented)")
        }
        #expect(restarting >= 4, "the worker, PostgreSQL worker, serve and poll units restart")
    }
}
