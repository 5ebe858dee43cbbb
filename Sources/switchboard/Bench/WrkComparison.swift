import Enqueuer
import Foundation
import Harness

/// `serve` measured with `wrk` (Debian's package) as the client: an event-driven C client on two
/// threads, which spends far less of the machine's two cores than this process's libcurl client, so
/// the figure is closer to what `serve` itself can take. wrk cannot sign, so it cycles through Slack
/// events signed beforehand, each thread taking every other one.
struct WrkComparison {
    /// Events signed beforehand per second of the run: more than wrk can send, so none repeats.
    static let eventsPerSecond = 40_000

    let executable: String
    let directory: URL
    let serverURL: String

    /// nil when `wrk` is not on the PATH.
    init?(directory: URL, serverURL: String) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard
            let found = path.split(separator: ":").map({ "\($0)/wrk" }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { return nil }
        executable = found
        self.directory = directory
        self.serverURL = serverURL
    }

    /// Runs wrk for `seconds` on `connections` connections; returns the events it had answered per second.
    /// - Throws: when wrk fails or any answer is not 2xx.
    func run(seconds: Int, connections: Int, secret: String) async throws -> Double {
        let events = Self.eventsPerSecond * seconds
        Output.message("bench: \(events) Slack events signed for wrk, then wrk for \(seconds) s...")
        var stream = SyntheticDeliveries(
            count: events, redeliveryRate: 0, conversations: events / 4, providers: [.slack])
        stream.firstID = 100_000_000
        let lines = stream.make().map { delivery in
            let body = String(decoding: delivery.body, as: UTF8.self)
            let headers = WebhookSigner.slack(body, secret: secret)
            return "\(headers[0].value)\t\(headers[1].value)\t\(body)"
        }
        let requests = directory.appendingPathComponent("wrk-requests.tsv")
        try Data(lines.joined(separator: "\n").utf8).write(to: requests)
        let script = directory.appendingPathComponent("wrk-slack.lua")
        try Data(Self.script.utf8).write(to: script)
        let wrk = try SwitchboardChild(
            executable: executable,
            arguments: [
                "-t2", "-c\(connections)", "-d\(seconds)s", "-s", script.path, serverURL + "/webhooks/slack",
                "--", requests.path,
            ], errorOutput: .capture)
        let finished = await wrk.finish()
        guard finished.status == 0,
            let line = finished.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else {
            throw CommandFailure(
                exitCode: .software,
                message: "wrk failed: \(finished.stdout.suffix(300)) \(finished.stderr.suffix(300))")
        }
        if let failures = finished.stdout.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw CommandFailure(exitCode: .software, message: "serve refused some of wrk's events: \(failures)")
        }
        return rate
    }

    /// Each wrk thread reads the signed events and sends every other one, starting at its own.
    private static let script = """
        local threads = 0
        function setup(thread)
          thread:set("first", threads)
          threads = threads + 1
        end
        function init(args)
          requests = {}
          local index = 0
          for line in io.lines(args[1]) do
            if index % 2 == first then
              local timestamp, signature, body = line:match("^(%d+)\\t([^\\t]+)\\t(.*)$")
              requests[#requests + 1] = wrk.format("POST", "/webhooks/slack", {
                ["Content-Type"] = "application/json",
                ["X-Slack-Request-Timestamp"] = timestamp,
                ["X-Slack-Signature"] = signature,
              }, body)
            end
            index = index + 1
          end
          next = 0
        end
        function request()
          next = next % #requests + 1
          return requests[next]
        end
        """
}
