import Foundation
import HTTPServer
import Testing

/// The failure limiter's rules, with the time passed in, and how a request's client is told apart
/// behind a trusted proxy.
@Suite("Limiting failed authentications per client")
struct FailedAttemptTests {
    static let start = ContinuousClock.now
    static let client = IPAddress("198.51.100.7")!
    static let other = IPAddress("198.51.100.8")!

    @Test("a client may fail burst times, then waits one forgetting time per try; a success forgets its failures")
    func burstThenWait() {
        var ledger = FailureLedger()
        let policy = ledger.policy
        for attempt in 0..<policy.burst {
            #expect(ledger.wait(Self.client, now: Self.start) == nil, "attempt \(attempt + 1)")
            ledger.failed(Self.client, now: Self.start)
        }
        #expect(ledger.wait(Self.client, now: Self.start) == policy.forgetAfter)
        #expect(ledger.wait(Self.other, now: Self.start) == nil, "another client is not slowed")
        #expect(ledger.wait(Self.client, now: Self.start + policy.forgetAfter / 2) == policy.forgetAfter / 2)
        let later = Self.start + policy.forgetAfter
        #expect(ledger.wait(Self.client, now: later) == nil, "one more try once a failure is forgotten")
        ledger.failed(Self.client, now: later)
        #expect(ledger.wait(Self.client, now: later) == policy.forgetAfter, "and only one")
        ledger.succeeded(Self.client)
        #expect(ledger.wait(Self.client, now: later) == nil)
        #expect(ledger.count == 0)
    }

    @Test("memory stays bounded however many addresses fail, and a busy guesser is still remembered")
    func bounded() {
        var policy = FailureLedger.Policy()
        policy.capacity = 1_000
        var ledger = FailureLedger(policy: policy)
        for _ in 0..<policy.burst {
            ledger.failed(Self.client, now: Self.start)
        }
        var most = 0
        for index in 0..<12_000 {
            let address = IPAddress("10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)")!
            ledger.failed(address, now: Self.start + .milliseconds(index))
            most = max(most, ledger.count)
            if index % 200 == 0 {
                ledger.failed(Self.client, now: Self.start + .milliseconds(index))
            }
        }
        #expect(most == policy.capacity)
        #expect(ledger.wait(Self.client, now: Self.start + .seconds(12)) != nil)
    }

    @Test("the limiter refuses before it checks, counts what the check says, and groups IPv6 by /64")
    func limiter() throws {
        let limiter = FailedAttemptLimiter()
        let guesser = IPAddress("2001:db8:1:2::1")!
        var checks = 0
        for _ in 0..<10 {
            let right = try limiter.attempt(by: guesser, now: Self.start) {
                checks += 1
                return (false, .failed)
            }
            #expect(!right)
        }
        let refused = #expect(throws: TooManyFailedAttempts.self) {
            try limiter.attempt(by: IPAddress("2001:db8:1:2:ffff::9")!, now: Self.start) {
                checks += 1
                return (true, .succeeded)
            }
        }
        #expect(checks == 10, "a refused client's secret is not looked at")
        #expect(refused?.retryAfterSeconds == 6)
        #expect(try limiter.attempt(by: IPAddress("2001:db8:1:3::1")!, now: Self.start) { (true, .succeeded) })
        #expect(try limiter.attempt(by: nil, now: Self.start) { (true, .notCounted) })
        #expect(limiter.remembered == 1)
    }

    @Test("an IPv4-mapped IPv6 address is the IPv4 address; spellings of one address are equal")
    func addresses() {
        #expect(IPAddress("::ffff:192.0.2.1") == IPAddress("192.0.2.1"))
        #expect(IPAddress("0:0::1") == IPAddress("::1"))
        #expect(IPAddress("::ffff:192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("2001:db8::1:2:3:4")?.network.description == "2001:db8::")
        #expect(["127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"].allSatisfy { IPAddress($0)!.isLoopback })
        #expect(!["0.0.0.0", "::", "10.0.0.1", "::2", "fe80::1"].contains { IPAddress($0)!.isLoopback })
        for text in ["", "localhost", "1.2.3", "[::1]", "127.0.0.1:80", "::1%lo", "1.2.3.4 "] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
    }

    @Test("X-Forwarded-For and X-Forwarded-Proto are believed from a trusted proxy only")
    func forwarded() {
        let proxy = IPAddress("127.0.0.1")!
        let origin = RequestOrigin(trustedProxies: [proxy, IPAddress("10.0.0.2")!])
        func request(from peer: IPAddress?, _ headers: [String: String]) -> ServerRequest {
            ServerRequest(method: "POST", path: "/", headers: headers, clientAddress: peer)
        }
        let cases: [(IPAddress?, [String: String], String?)] = [
            (proxy, [:], "127.0.0.1"),
            (proxy, ["x-forwarded-for": "198.51.100.7"], "198.51.100.7"),
            // What the client wrote left of what the proxies appended is not believed.
            (proxy, ["x-forwarded-for": "203.0.113.1, 198.51.100.7"], "198.51.100.7"),
            (proxy, ["x-forwarded-for": "203.0.113.1, 198.51.100.7, 10.0.0.2"], "198.51.100.7"),
            (proxy, ["x-forwarded-for": "198.51.100.7, not-an-address"], "127.0.0.1"),
            (proxy, ["x-forwarded-for": " 2001:db8::7 "], "2001:db8::7"),
            (IPAddress("192.0.2.9")!, ["x-forwarded-for": "198.51.100.7"], "192.0.2.9"),
            (nil, ["x-forwarded-for": "198.51.100.7"], nil),
        ]
        for (peer, headers, client) in cases {
            #expect(origin.client(of: request(from: peer, headers))?.description == client, "\(headers)")
        }
        #expect(origin.isHTTPS(request(from: proxy, ["x-forwarded-proto": "https"])))
        #expect(origin.isHTTPS(request(from: proxy, ["x-forwarded-proto": "http, HTTPS"])))
        #expect(!origin.isHTTPS(request(from: proxy, ["x-forwarded-proto": "http"])))
        #expect(!origin.isHTTPS(request(from: proxy, [:])))
        #expect(!origin.isHTTPS(request(from: IPAddress("192.0.2.9")!, ["x-forwarded-proto": "https"])))
    }
}
