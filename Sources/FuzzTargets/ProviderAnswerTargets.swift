import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Workers

/// What a provider answers Switchboard's own requests, fed to the code that reads it: the long polls'
/// update pages and `Retry-After`. The answer comes from fuzz bytes, written as `FuzzRequest` reads them
/// (the first line is the status, 200 unless it is one from 200 to 599; header lines; an empty line; the
/// body), and is served over loopback by an HTTP server in the process, so the real HTTP client reads it.
enum ProviderAnswers {
    /// The answer the loopback server gives to every request until the next input.
    private static let next = Mutex(ServerResponse(status: 200))
    private static let server: HTTPServer = {
        do {
            return try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in next.withLock { $0 } }
        } catch {
            fatalError("the fuzz targets' provider server could not start: \(error)")
        }
    }()
    static let http = HTTPClient(maxInFlight: 1)
    static var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Makes the server answer `data` from now on; the poll cursor the input asks for (`fuzz-cursor`).
    static func serve(_ data: Data) -> String? {
        let answer = FuzzRequest(data)
        // A 1xx status is not an answer: the client would wait for the real one until its timeout.
        var response = ServerResponse(status: Int(answer.method).flatMap { (200...599).contains($0) ? $0 : nil } ?? 200)
        // What a server can send at all: header names and values of visible ASCII (libmicrohttpd refuses others).
        for (name, value) in answer.headers where !name.isEmpty && Self.isVisible(name) && Self.isVisible(value) {
            response.headers[name] = value
        }
        response.body = answer.body
        next.withLock { $0 = response }
        return answer.directives["fuzz-cursor"]
    }

    private static func isVisible(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ":") || $0 == UInt8(ascii: " ") }
    }

    /// Reads a page of updates as the poller does; the cursor never moves back.
    static func poll(_ source: any UpdateSource, after cursor: String?) throws(FuzzFailure) {
        let page: UpdatePage?
        do {
            page = try blocking { try? await source.fetch(after: cursor) }
        } catch {
            throw FuzzFailure("the poll could not be awaited: \(error)")
        }
        guard let page else { return }
        if let before = cursor.flatMap({ Int64($0) }), let after = Int64(page.next) {
            try FuzzFailure.check(
                after >= before, "\(source.provider) poll cursor moved back from \(before) to \(after)")
        }
    }
}

extension FuzzTarget {
    /// Telegram's `getUpdates` answer, read by `switchboard poll --provider telegram`.
    static let pollTelegram = FuzzTarget(
        name: "poll-telegram",
        summary: "Telegram's answer to getUpdates (status line, headers, body; fuzz-cursor: the offset)"
    ) { data throws(FuzzFailure) in
        let cursor = ProviderAnswers.serve(data)
        let source = TelegramUpdates(
            settings: ProviderSettings(baseURL: ProviderAnswers.baseURL, credentials: ["bot_token": "1:fuzz"]),
            http: ProviderAnswers.http, timeout: .seconds(1))
        try ProviderAnswers.poll(source, after: cursor)
    }

    /// iLink's `getupdates` answer, read by `switchboard poll --provider wechat`.
    static let pollWeChat = FuzzTarget(
        name: "poll-wechat",
        summary: "WeChat's answer to getupdates (status line, headers, body; fuzz-cursor: get_updates_buf)"
    ) { data throws(FuzzFailure) in
        let cursor = ProviderAnswers.serve(data)
        let source = WeChatUpdates(
            settings: ProviderSettings(baseURL: ProviderAnswers.baseURL, credentials: ["bot_token": "fuzz"]),
            http: ProviderAnswers.http, timeout: .seconds(1))
        try ProviderAnswers.poll(source, after: cursor)
    }

    /// Any provider's answer to a send, as the HTTP client gives it to the provider clients: `Retry-After`.
    static let retryAfter = FuzzTarget(
        name: "retry-after",
        summary: "a provider's answer to a send (status line, headers, body): its Retry-After"
    ) { data throws(FuzzFailure) in
        _ = ProviderAnswers.serve(data)
        let response: HTTPResponse?
        do {
            response = try blocking {
                try? await ProviderAnswers.http.send(
                    HTTPRequest.json(ProviderAnswers.baseURL + "/send", Data("{}".utf8)))
            }
        } catch {
            throw FuzzFailure("the send could not be awaited: \(error)")
        }
        if let response {
            let wait = Duration.providerWait(response.retryAfterSeconds)
            try FuzzFailure.check(
                wait > .zero, "Retry-After \(response.headers["retry-after"] ?? "") read as a wait of \(wait)")
        }
    }
}
