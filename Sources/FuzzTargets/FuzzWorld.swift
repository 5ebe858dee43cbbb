import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue
import Synchronization
import Workers
import switchboard

/// What the targets that need a database share, made once per process: a real SQLite database in a
/// temporary folder (removed when the process exits) whose clock stays at `FuzzSecrets.now`, intake over
/// it, and `serve`'s routes over it, configured from a configuration file with the fuzz secrets, with a
/// dashboard operator signed in.
final class FuzzWorld: Sendable {
    static let shared: FuzzWorld = {
        do {
            return try blocking { try await FuzzWorld() }
        } catch {
            fatalError("the fuzz targets' database could not be set up: \(error)")
        }
    }()

    let store: JobStore
    let intake: Intake
    let routes: ServeRoutes
    /// The signed-in operator's session cookie and the CSRF token its forms carry.
    let session: (cookie: String, csrf: String)

    private init() async throws {
        let folder = try Scratch.folder()
        let configuration = folder.appendingPathComponent("switchboard.json")
        try FuzzWorld.configuration.serialized.write(to: configuration)
        var options = StoreOptions()
        options.clock = ManualClock(FuzzSecrets.now)
        options.durability = .normal
        store = try await SwitchboardDatabase.open(
            .sqlite(path: folder.appendingPathComponent("fuzz.db").path), options: options)
        intake = Intake(store: store)
        routes = try await ServeRoutes(
            configuration: ChatConfiguration.load(file: configuration.path, environment: [:]), store: store,
            intakeOptions: IntakeOptions(), throughput: ThroughputHistory(),
            // Long: a webhook answered 503 because a loaded machine wrote slowly is not what is tested here.
            writeTimeout: .seconds(60),
            log: { _ in })
        session = try await Self.signIn(routes, store)
    }

    /// The configuration `serve` reads: every provider's webhook secrets and send credentials, the intake
    /// and dashboard tokens.
    private static var configuration: JSONValue {
        var providers = JSONObject()
        for (provider, secrets) in FuzzSecrets.webhookSecrets.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            var settings = JSONObject()
            // A provider's settings need what it sends with too, or the file is refused.
            for name in provider.api.credentials {
                settings.set(name, "fuzz-\(name)")
            }
            for (name, value) in secrets.sorted(by: { $0.key < $1.key }) {
                settings.set(name, value)
            }
            providers.set(provider.rawValue, settings)
        }
        return .object([
            "intake": JSONObject(["token": .string(FuzzSecrets.intakeToken)]),
            "dashboard": JSONObject(["token": .string(FuzzSecrets.dashboardToken)]),
            "providers": providers,
        ])
    }

    /// Signs in to the dashboard as an operator would, and reads the CSRF token from a page's form (the
    /// queues page has one per queue, so a job is enqueued first).
    private static func signIn(_ routes: ServeRoutes, _ store: JobStore) async throws -> (cookie: String, csrf: String)
    {
        try await store.enqueue(NewJob(queue: "fuzz", kind: "fuzz"))
        let signedIn = await routes.answer(
            ServerRequest(
                method: "POST", path: "/dashboard/sign-in",
                headers: ["content-type": "application/x-www-form-urlencoded"],
                body: Data("token=\(FuzzSecrets.dashboardToken)".utf8)))
        guard let setCookie = signedIn.headers["Set-Cookie"], let cookie = setCookie.split(separator: ";").first
        else { throw FuzzFailure("signing in to the dashboard answered \(signedIn.status) without a cookie") }
        let page = await routes.answer(
            ServerRequest(method: "GET", path: "/dashboard", headers: ["cookie": String(cookie)]))
        let html = String(decoding: page.body, as: UTF8.self)
        guard let match = html.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/) else {
            throw FuzzFailure("the signed-in dashboard (\(page.status)) shows no form with a CSRF token")
        }
        return (String(cookie), String(match.1))
    }
}

/// The process's own temporary folder for the targets' files, made when first asked for and removed when
/// the process exits (libFuzzer ends with `exit`, the tests by returning from `main`).
enum Scratch {
    private static let made = Mutex<URL?>(nil)

    static func folder() throws -> URL {
        try made.withLock { made in
            if let made { return made }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "switchboard-fuzz-\(getpid())-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            made = folder
            atexit {
                if let folder = Scratch.made.withLock({ $0 }) {
                    try? FileManager.default.removeItem(at: folder)
                }
            }
            return folder
        }
    }
}

/// Runs async work to its end from synchronous code, blocking the calling thread. The work runs on Swift
/// concurrency's threads, so the caller must not be one of them (see `FuzzTarget.run`).
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Outcome<T>()
    Task {
        do {
            outcome.result = .success(try await work())
        } catch {
            outcome.result = .failure(error)
        }
        outcome.done.signal()
    }
    outcome.done.wait()
    return try outcome.result!.get()
}

/// The result of `blocking`'s work.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `result` is written once by the task before it signals `done`, and read by the
    // waiting thread only after `done` is signalled, so the semaphore orders the two.
    var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
}
