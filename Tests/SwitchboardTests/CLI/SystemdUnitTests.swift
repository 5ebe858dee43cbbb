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
