import Foundation

/// The CPU model, core count and kernel, for quoting figures.
package enum MachineDescription {
    /// The line every benchmark report starts its context with: the machine, and the database measured
    /// with its version (`BenchmarkDatabase.engine`).
    package static func reportLine(engine: String) -> String {
        "machine: \(current); \(engine)"
    }

    package static var current: String {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuInfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, Linux \(release)"
    }
}
