import Foundation
import Harness

/// `switchboard fake-provider`: the providers' APIs on loopback, for tests, benchmarks and trying a
/// configuration without tokens.
struct FakeProviderCommand: Command {
    static let name = "fake-provider"
    static let summary = "Serve stand-ins for the providers' send APIs on 127.0.0.1 (tests and benchmarks)"
    private static let port = Option<Int>.integer(
        "port", "N", .count(0...65_535), "the port to listen on (default 0: any free port)")

    static let options = [Self.port.spec]
    static let examples = [
        "switchboard fake-provider --port 8089",
        "",
        #"Prints {"port": N} once listening. GET /_fake/requests lists what it received; POST /_fake/script"#,
        #"takes fault rules such as [{"path": "sendMessage", "times": 1, "status": 429,"#,
        #""body": {"ok": false, "error_code": 429, "parameters": {"retry_after": 1}}}]."#,
    ]

    let port: UInt16

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        port = UInt16(try arguments.value(Self.port) ?? 0)
    }

    func run(_ context: CommandContext) async throws {
        let server = try FakeProviderServer(port: port)
        Output.writeLine(Output.jsonLine(["port": Int(server.port)]), to: .standardOutput)
        // The server's own threads serve; this task only keeps it, and the process, alive until stopped.
        defer { withExtendedLifetime(server) {} }
        while true {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
