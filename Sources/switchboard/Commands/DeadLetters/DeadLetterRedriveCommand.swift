import Foundation
import Queue
import Synchronization
import Workers

/// `switchboard dlq redrive`.
struct DeadLetterRedriveCommand: Command {
    static let name = "dlq redrive"
    static let summary = "Put dead letters back to run, attempts reset"
    static let operands = "[ID...]"
    private static let all = Flag("all", "every dead letter")
    private static let queue = Option<String>.text("queue", "Q", "every dead letter of this queue")
    private static let rate = Option<Int>.integer("rate", "N", Bounds.rate, "at most N per second")

    static let options = [Self.all.spec, Self.queue.spec, Self.rate.spec]
    static let examples = ["switchboard dlq redrive 41 42", "switchboard dlq redrive --queue mail --rate 50"]

    let selection: DeadLetterSelection
    let rate: Int?

    init(_ arguments: Arguments) throws {
        selection = try .chosen(
            ids: arguments.ids(),
            or: [
                (Self.all.spec, try arguments.isSet(Self.all) ? .all : nil),
                (Self.queue.spec, try arguments.value(Self.queue).map(DeadLetterSelection.queue)),
            ])
        rate = try arguments.value(Self.rate)
    }

    /// With `--rate`, says how far it has got after each batch; Ctrl-C (or SIGTERM) stops it between
    /// batches and says how many were redriven.
    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.existing)
        let rate = self.rate
        let selection = self.selection
        let progress = Mutex((done: 0, total: 0))
        let redrive = Task {
            try await store.redriveDeadLetters(selection, perSecond: rate) { done, total in
                progress.withLock { $0 = (done, total) }
                if rate != nil {
                    Output.message(
                        context.output.json
                            ? Output.jsonLine(["progress": done, "total": total])
                            : "redrove \(done) of \(total) dead letters"
                    )
                }
            }
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in redrive.cancel() }
        defer { withExtendedLifetime(signals) {} }
        do {
            let count = try await redrive.value
            context.output.result("redrove \(count) dead letters", json: ["redriven": count])
        } catch is CancellationError {
            let (done, total) = progress.withLock { $0 }
            context.output.result(
                "interrupted: redrove \(done) of \(total) dead letters",
                json: ["redriven": done, "total": total, "interrupted": true])
            throw CommandFailure(
                exitCode: .interrupted, message: "interrupted after redriving \(done) of \(total) dead letters")
        }
    }
}
