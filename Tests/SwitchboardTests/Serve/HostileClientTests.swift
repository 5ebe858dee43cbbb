import ChatStore
import Foundation
import HTTPServer
import Harness
import Queue
import Testing

/// `switchboard serve` against clients that try to exhaust it or confuse it: slowloris, one address
/// taking every connection, ambiguous framing, a second server on its port. Real processes, real sockets
/// over loopback.
@Suite("serve under hostile clients", .serialized, .timeLimit(.minutes(3)))
struct HostileClientTests {
    /// The tricklers' first line: a request whose headers never end.
    static let trickleStart = "POST /webhooks/slack HTTP/1.1\r\nHost: x\r\nX-Slow: "

    @Test("libmicrohttpd polls with epoll, which watches any number of connections")
    func epoll() throws {
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in
            .text(200, "ok")
        }
        #expect(server.pollsWithEpoll)
    }

    @Test("Content-Length headers that disagree, or Content-Length with Transfer-Encoding, are refused with 400")
    func ambiguousFraming() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory)], database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }
        let update = ServeTests.telegramUpdate(1)
        let head =
            "POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + "X-Telegram-Bot-Api-Secret-Token: \(ServeTests.telegramSecret)\r\n"
        let length = update.utf8.count
        let chunked = String(length, radix: 16) + "\r\n" + update + "\r\n0\r\n\r\n"
        let requests = [
            (head + "Content-Length: \(length)\r\nContent-Length: \(length + 5)\r\n\r\n" + update, 400),
            (head + "Content-Length: \(length + 5)\r\nContent-Length: \(length)\r\n\r\n" + update + "     ", 400),
            (head + "Transfer-Encoding: chunked\r\nContent-Length: \(length)\r\n\r\n" + chunked, 400),
            // The same length twice is one length (RFC 9112 allows it).
            (head + "Content-Length: \(length)\r\nContent-Length: \(length)\r\n\r\n" + update, 200),
        ]
        for (index, (request, expected)) in requests.enumerated() {
            let connection = try RawConnection(port: server.process.port)
            connection.send(request)
            let answer = await connection.waitForClose(timeout: .seconds(10)) ?? "no answer"
            #expect(answer.hasPrefix("HTTP/1.1 \(expected) "), "request \(index): \(answer)")
        }
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.stats().totals.values.reduce(0, +) == 1, "only the unambiguous request was written")
    }

    @Test("a second serve on an address in use is refused, naming it, unless both ask to share it")
    func addressInUse() async throws {
        let directory = try TestDirectory()
        let first = try await TestServer([], database: directory.path("first.db"))
        defer { first.child.signal(SIGKILL) }
        let address = "127.0.0.1:\(first.process.port)"
        for extra in [[], ["--reuse-port"]] {
            let second = try SwitchboardProcess.start(
                ["--json", "serve", "--listen", address] + extra, database: directory.path("second.db"))
            defer { second.signal(SIGKILL) }
            let line = await second.readLine()
            if line != nil {
                second.signal(SIGKILL)
            }
            #expect(line == nil, "the second serve \(extra) must not listen: \(line ?? "")")
            let ended = await second.finish()
            #expect(ended.status == 69, "\(ended.stderr)")
            #expect(ended.stderr.contains(address) && ended.stderr.contains("in use"), "\(ended.stderr)")
        }

        // Both asked to share: both listen on one port.
        let sharing = try await TestServer(["--reuse-port"], database: directory.path("third.db"))
        defer { sharing.child.signal(SIGKILL) }
        let partner = try await ServeProcess(
            SwitchboardProcess.start(
                ["--json", "serve", "--listen", "127.0.0.1:\(sharing.process.port)", "--reuse-port"],
                database: directory.path("fourth.db")))
        defer { partner.child.signal(SIGKILL) }
        #expect(partner.port == sharing.process.port)
    }
}

/// The slowloris target, a latency measured in milliseconds: measured with the machine otherwise quiet
/// (`ops/test.sh` runs the suites whose type name ends in `MeasuredAlone` after all the others), since the rest of the
/// suite's processes on two cores delay any request by seconds, whatever the server does.
/// `serve`'s request deadline, timed in seconds: measured with the machine quiet, after the other suites
/// (inside the full run, the test process's own clock reads came seconds late).
@Suite("serve's request deadline (measured alone)", .serialized, .timeLimit(.minutes(3)))
struct RequestDeadlineMeasuredAlone {
    @Test("--request-deadline cuts off a trickled body and an idle keep-alive connection, not a prompt request")
    func requestDeadline() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory), "--request-deadline", "2"],
            database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }
        let update = ServeTests.telegramUpdate(1)
        let trickler = try RawConnection(port: server.process.port)
        let opened = ContinuousClock.now
        trickler.send(
            "POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "X-Telegram-Bot-Api-Secret-Token: \(ServeTests.telegramSecret)\r\n"
                + "Content-Length: \(update.utf8.count)\r\n\r\n")
        let body = Task.detached {
            for byte in update {
                guard !Task.isCancelled, !trickler.isEndedByServer else { return }
                trickler.send(String(byte))
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { body.cancel() }
        let answer = await trickler.waitForClose(timeout: .seconds(20))
        let cutAfter = ContinuousClock.now - opened
        #expect(answer == "", "cut off without an answer")
        // Cut at the deadline, long before the 30 s idle timeout (a loaded machine may add seconds).
        #expect(cutAfter >= .seconds(2) && cutAfter < .seconds(15), "\(cutAfter)")

        // A whole request in time is answered; its connection then waits for the next one as long as
        // the deadline allows.
        let prompt = try RawConnection(port: server.process.port)
        let started = ContinuousClock.now
        prompt.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let idle = await prompt.waitForClose(timeout: .seconds(28))
        let idleFor = ContinuousClock.now - started
        #expect(idle?.hasPrefix("HTTP/1.1 200") == true, "\(idle ?? "still open")")
        #expect(idleFor >= .seconds(2) && idleFor < .seconds(25), "\(idleFor)")
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        #expect(try await store.stats().totals.values.reduce(0, +) == 0, "the cut-off request wrote nothing")
    }
}

@Suite("serve under a slowloris attack (measured alone)", .serialized, .timeLimit(.minutes(3)))
struct SlowlorisMeasuredAlone {
    @Test(
        "1,000 trickling connections, a fifth address over its limit: /healthz and webhooks answered within 100 ms"
    )
    func slowloris() async throws {
        #expect(raiseOpenFileLimit() >= 2_000, "the test needs 1,300 sockets")
        let directory = try TestDirectory()
        // What is measured is serve's answer, not the disk's fsync: commits without one.
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory), "--durability", "normal"],
            database: directory.databasePath)
        defer { server.child.signal(SIGKILL) }
        let limits = try String(contentsOfFile: "/proc/\(server.child.pid)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }?
            .split(separator: " ", omittingEmptySubsequences: true)
        #expect(openFiles?[3] == openFiles?[4], "serve raised its soft open-file limit to the hard one: \(limits)")

        // Defaults: 4,096 connections, 256 per address, a 10 s request deadline, a 30 s idle timeout.
        let opened = ContinuousClock.now
        let tricklers = try (2...5).flatMap { host in
            try (0..<250).map { _ in try RawConnection(port: server.process.port, from: "127.0.0.\(host)") }
        }
        let greedy = try (0..<300).map { _ in try RawConnection(port: server.process.port, from: "127.0.0.6") }
        let everyone = tricklers + greedy
        for connection in everyone {
            connection.send(HostileClientTests.trickleStart)
        }
        // One header byte a second each, well inside the idle timeout.
        let trickling = Task.detached {
            while !Task.isCancelled {
                for connection in everyone where !connection.isEndedByServer {
                    connection.send("x")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { trickling.cancel() }

        try await waitUntil("the fifth address is held to its limit", timeout: .seconds(5)) {
            greedy.count { $0.isEndedByServer } >= 300 - 256
        }
        #expect(greedy.count { !$0.isEndedByServer } <= 256)
        #expect(tricklers.allSatisfy { !$0.isEndedByServer }, "four addresses of 250 are within their limit")

        // Ten of each; the median is what is measured, so that one scheduling hiccup of a loaded machine
        // does not decide it.
        var healthTimes: [Duration] = []
        var webhookTimes: [Duration] = []
        for index in 0..<10 {
            let started = ContinuousClock.now
            let health = try await server.send(.get, "/healthz", timeout: .seconds(5))
            healthTimes.append(ContinuousClock.now - started)
            #expect(health.status == 200, "/healthz \(index): \(health)")
            let event = ServeTests.slackEvent(100 + index)
            let posted = ContinuousClock.now
            let answer = try await server.post(
                "/webhooks/slack", event, headers: WebhookSigner.slack(event, secret: ServeTests.slackSecret))
            webhookTimes.append(ContinuousClock.now - posted)
            #expect(answer.status == 200, "webhook \(index): \(answer)")
        }
        #expect(healthTimes.sorted()[5] < .milliseconds(100), "/healthz: \(healthTimes)")
        #expect(webhookTimes.sorted()[5] < .milliseconds(100), "webhooks: \(webhookTimes)")

        // Trickling does not keep a connection: each is cut at the deadline after it opened.
        try await waitUntil("every trickler is cut off", timeout: .seconds(45)) {
            everyone.allSatisfy(\.isEndedByServer)
        }
        let cutAfter = ContinuousClock.now - opened
        #expect(cutAfter >= .seconds(10), "not before the deadline: \(cutAfter)")
        #expect(try await server.send(.get, "/healthz").status == 200)
    }
}
