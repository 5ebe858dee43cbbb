import Foundation

/// One entry point that takes bytes from outside, as a function of arbitrary bytes. The same function runs
/// under libFuzzer (the `FuzzTesting` package, built with the address sanitizer by `ops/fuzz.sh`) and in
/// the test that replays the committed corpus (`FuzzTesting/corpus/NAME`) on every test run, so an input
/// that once crashed a target is tried again for good.
///
/// A target returns whatever the input. A crash, a trap, or a property that does not hold (`FuzzFailure`:
/// a value that does not read back as it was written, an unsigned request found authentic) is a bug.
public struct FuzzTarget: Sendable {
    /// The target's name: its corpus folder and the argument `ops/fuzz.sh` takes.
    public let name: String
    /// What the input stands for, for `ops/fuzz.sh --list`.
    public let summary: String
    /// Feeds one input to the entry point. It may block its thread while async code runs (the router,
    /// the provider answers), so call it from a thread of its own, never from Swift concurrency's pool.
    public let run: @Sendable (Data) throws(FuzzFailure) -> Void

    /// Every target, in the order `ops/fuzz.sh --list` prints them.
    public static let all: [FuzzTarget] =
        [json, eventStream, cron, configuration, form, router, intakeBearer, jwt, jwks]
        + WebhookTargets.all + NormaliserTargets.all + [pollTelegram, pollWeChat, retryAfter] + SocketTargets.all

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// A property a target checks that does not hold for an input.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    /// Fails with `description` unless `condition` holds.
    static func check(_ condition: Bool, _ description: @autoclosure () -> String) throws(FuzzFailure) {
        guard condition else { throw FuzzFailure(description()) }
    }
}
