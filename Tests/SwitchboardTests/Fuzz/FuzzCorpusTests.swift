import Enqueuer
import Foundation
import HTTPServer
import Testing

@testable import FuzzTargets

/// Replays every committed fuzz input (`FuzzTesting/corpus/TARGET/`) through its target, as libFuzzer runs
/// it but without the sanitizer, on every test run: an input that once crashed a target, or broke one of
/// its properties, stays in the corpus and is tried again for good. `ops/fuzz.sh` is what finds new ones.
@Suite("Fuzz corpus replay", .serialized)
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzTesting/corpus")

    @Test(
        "every committed input runs through its target without a crash or a broken property",
        arguments: FuzzTarget.all.map(\.name))
    func replay(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let folder = Self.corpus.appendingPathComponent(name)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!inputs.isEmpty, "\(name) has no committed corpus")
        var failures: [String] = []
        for input in inputs {
            let data = try Data(contentsOf: folder.appendingPathComponent(input))
            if let failure = await Self.run(target, data) {
                failures.append("\(name)/\(input): \(failure)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("every corpus folder is a target's")
    func foldersNameTargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        #expect(Set(folders) == Set(FuzzTarget.all.map(\.name)))
    }

    /// Runs one input on a thread of its own: a target may block its thread on async work (the router),
    /// which must not be one of Swift concurrency's.
    private static func run(_ target: FuzzTarget, _ data: Data) async -> FuzzFailure? {
        await withCheckedContinuation { (continuation: CheckedContinuation<FuzzFailure?, Never>) in
            Thread {
                do throws(FuzzFailure) {
                    try target.run(data)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }.start()
        }
    }
}

/// The fuzz harness's signing and encryption must be what the providers do, or the fuzzer would never get
/// past a signature to the code behind it, and nothing would say so.
@Suite("Fuzz harness")
struct FuzzHarnessTests {
    static let head = """
        /webhooks/P?timestamp=1732262400&nonce=7
        x-slack-request-timestamp: 1732262400
        timestamp: 1732262400000
        x-lark-request-timestamp: 1732262400
        x-lark-request-nonce: n
        fuzz-encrypt: yes

        """

    @Test(
        "a request the harness signs (and encrypts) passes its provider's check, with the payload it held",
        arguments: WebhookGate.providers)
    func signedRequestsPass(provider: Provider) throws {
        let fixture = try #require(Fixture.all(provider).first)
        for method in provider == .wecom ? ["POST", "GET"] : ["POST"] {
            var request = FuzzRequest(Data("\(method) \(Self.head)fuzz-sign: yes\n\n".utf8) + fixture.data)
            FuzzSecrets.prepare(&request, for: provider)
            switch WebhookTargets.gate.check(provider, WebhookTargets.webhookRequest(request), now: FuzzSecrets.now) {
            case .deliver(let body) where method == "POST", .answer(let body) where method == "GET":
                // Feishu's token is in the body, so signing rewrote the body: it holds the same message.
                #expect(try Fixture(provider, body: body).normalised() == fixture.normalised(), "\(provider)")
            case let verdict:
                Issue.record("\(provider) \(method): \(verdict)")
            }
            var unsigned = FuzzRequest(Data("\(method) \(Self.head)\n".utf8) + fixture.data)
            FuzzSecrets.prepare(&unsigned, for: provider)
            #expect(
                WebhookTargets.gate.check(provider, WebhookTargets.webhookRequest(unsigned), now: FuzzSecrets.now)
                    == .refuse, "\(provider) \(method) unsigned")
        }
    }

    @Test("the router's world: a signed webhook is recorded, an unsigned one refused, a signed-in action done")
    func routerWorld() async throws {
        let world = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: FuzzWorld.shared) }.start()
        }
        let body = try #require(Fixture.all(.slack).first { $0.data.count > 200 }).data
        var signed = FuzzRequest(
            Data("POST /webhooks/slack\nx-slack-request-timestamp: 1732262400\nfuzz-sign: yes\n\n".utf8) + body)
        FuzzSecrets.prepare(&signed, for: .slack)
        func answer(_ request: FuzzRequest) async -> Int {
            await world.routes.answer(
                ServerRequest(
                    method: request.method, path: request.path, query: request.query,
                    headers: request.headers.merging(["content-type": "application/json"]) { $1 }, body: request.body)
            ).status
        }
        #expect(await answer(signed) == 200)
        signed.headers["x-slack-signature"] = "v0=" + String(repeating: "0", count: 64)
        #expect(await answer(signed) == 401)
        let pause = await world.routes.answer(
            ServerRequest(
                method: "POST", path: "/dashboard/actions/pause",
                headers: ["cookie": world.session.cookie, "content-type": "application/x-www-form-urlencoded"],
                body: Data("queue=fuzz-harness&csrf=\(world.session.csrf)".utf8)))
        #expect(pause.status == 303)
        #expect(try await world.store.pausedQueues()["fuzz-harness"] != nil)
    }
}
