import Foundation
import JSON
import Workers

/// The log lines a long-running command (`work`, `serve`, `poll`) writes on stderr: text for a person,
/// or with `--json` one JSON object per line carrying its time (RFC 3339, milliseconds), level, pid,
/// version and event, so every process of a fleet logs in one shape a collector can read. Every line
/// passes the redactor: an error from a provider, a database or a command may echo a credential.
struct ProcessLog: Sendable {
    enum Level: String {
        case info
        case warning
        case error
    }

    let json: Bool
    let redactor: SecretRedactor

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Writes `text`, or with `--json` `fields`, which name the `event` (`started`, `stopping`, ...).
    func write(_ level: Level, _ text: String, _ fields: JSONObject) {
        guard json else {
            Output.message(redactor.redact(text))
            return
        }
        var line = fields
        line.set("time", Date().formatted(Self.timeFormat))
        line.set("level", level.rawValue)
        line.set("pid", Int(getpid()))
        line.set("version", SwitchboardVersion.current)
        Output.message(redactor.redact(Output.jsonLine(line)))
    }

    /// The database cannot be reached yet: said on every attempt, with when the next one comes.
    func waitingForDatabase(attempt: Int, retryIn delay: Duration, reason: String) {
        write(
            .warning,
            "waiting for the database (attempt \(attempt)), trying again in \(delay.seconds) s: \(reason)",
            ["event": "waiting_for_database", "attempt": attempt, "retry_in": delay.seconds, "error": reason]
        )
    }
}
