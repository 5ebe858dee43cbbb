import Enqueuer
import Foundation
import HTTPServer
import JSON
import Synchronization
import Workers

/// A stand-in for the providers' HTTP APIs on loopback, for tests and benchmarks.
///
/// It answers each provider's send endpoint (and token endpoints) the way the provider documents,
/// records every request, and plays scripted faults: `POST /_fake/script` with a JSON array of rules
/// `{"path": substring, "times": N, "skip": N, "status": S, "body": JSON, "raw": text, "raw_base64": bytes,
/// "headers": {...}, "delay_ms": N, "drop": true, "pass": true, "until": {"path": substring, "count": N}}`
/// (a file's bytes go in `raw_base64`; `skip`: answer
/// that many matching requests normally first; `pass`: answer normally, after the delay; `until`: hold
/// the answer until that many requests to the path were recorded, at most for the delay, or a minute
/// without one).
/// `GET /_fake/requests` returns what it recorded (with `at_ns`, wall-clock nanoseconds, for a send
/// the reply's `text`, read from wherever its provider carries it, and for a Telegram send the
/// `message_id` it answered), `GET /_fake/count` how many sends it
/// answered normally; `POST /_fake/reset` forgets it all. `POST /agent` is an echo agent.
/// `GET /_fake/files/NAME?bytes=N` serves a file of N bytes made from its name.
/// The upload routes answer as their providers do (Telegram's `sendPhoto` and the others, Discord's
/// multipart message, Slack's external upload with its upload URL on the fake, Feishu's, DingTalk's and
/// WeCom's media uploads, WeChat's `getuploadurl` with its CDN on the fake); a multipart body is read by
/// libmicrohttpd's post processor and recorded as `form` (each part's name, file name, content type,
/// size, SHA-256, and a field's text), any other body that is not UTF-8 as `body_base64`. Feishu's
/// `uuid` and WeCom's duplicate check are honoured like Discord's nonce: a repeat is answered, recorded
/// as `deduplicated`, and posts nothing.
/// `POST /_fake/updates` with `{"telegram": [update, ...], "wechat": [message, ...]}` queues updates for
/// the long polls (`getUpdates` by offset, `getupdates` by an opaque `get_updates_buf`); a poll that
/// finds nothing is held open for its timeout, at most a second. The edit routes (Telegram's
/// `editMessageText`, Slack's `chat.update`, Discord's `PATCH` of a message, Feishu's `PUT`) are answered
/// and recorded like sends; Telegram's refuses an edit that changes nothing, as Telegram does.
package final class FakeProviderServer: Sendable {
    private let apis: FakeAPIs
    private let server: HTTPServer

    /// The port it listens on.
    package var port: UInt16 { server.port }

    /// Listens on 127.0.0.1:`port` (0 picks a free port), on the project's HTTP server.
    package init(port: UInt16) throws {
        let apis = FakeAPIs(sockets: try FakeSockets())
        self.apis = apis
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 200 << 20
        limits.readsForms = true
        server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: port), limits: limits) { request in
            await apis.answer(request)
        }
    }
}

/// The providers' APIs the fake answers, what it recorded and its scripted faults.
private final class FakeAPIs: Sendable {
    struct Rule: Sendable {
        var path: String
        var remaining: Int
        /// Matching requests still to answer normally before this rule applies.
        var skip: Int
        var status: Int
        var body: Data
        var headers: [String: String]
        var delay: Duration
        var drop: Bool
        /// Answer as the provider would, after the delay, instead of with this rule's response.
        var pass: Bool
        /// Hold the answer until this many requests whose path contains `path` were recorded.
        var until: Awaited?
    }

    /// Requests a held answer waits for.
    struct Awaited: Sendable {
        var path: String
        var count: Int
    }

    /// A request as received; turned into JSON only when `/_fake/requests` asks, to keep serving cheap.
    private struct Recorded {
        let request: Request
        let scripted: Bool
        let deduplicated: Bool?
        /// The id the answer gave a message sent, where the fake tracks it (Telegram's).
        let messageID: String?
        let at: Int64
    }

    private struct State {
        var rules: [Rule] = []
        var recorded: [Recorded] = []
        /// Recorded sends to a provider (not to the agent), for `GET /_fake/count`.
        var sends = 0
        /// The message each Discord nonce posted: its id and its text then.
        var discordNonces: [String: (id: String, content: String)] = [:]
        /// The message each Feishu `uuid` posted, and the WeCom messages sent with the duplicate check.
        var feishuUUIDs: [String: String] = [:]
        var wecomChecked: Set<Data> = []
        /// The text each Telegram message shows, by id.
        var telegramTexts: [String: String] = [:]
        var nextMessageID = 1
        /// Updates queued for the long polls.
        var telegramUpdates: [JSONValue] = []
        var wechatMessages: [JSONValue] = []
    }

    /// How long an empty long poll is held open at most.
    static let emptyPollHold = Duration.seconds(1)
    /// The most messages one WeChat poll answers.
    static let wechatPage = 10

    private let state = Mutex(State())
    private let sockets: FakeSockets

    init(sockets: FakeSockets) {
        self.sockets = sockets
    }

    private struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data
        var form: [ReceivedFormPart]?

        /// A multipart field's text.
        func field(_ name: String) -> String? {
            form?.first { $0.name == name && $0.fileName == nil }.map { String(decoding: $0.data, as: UTF8.self) }
        }

        /// The JSON the request carries: its body, or a multipart message's `payload_json`.
        var json: JSONObject? {
            let data = field("payload_json").map { Data($0.utf8) } ?? body
            return (try? JSONParser.parse(data))?.objectValue
        }
    }

    private struct Response {
        var status = 200
        var body = Data("{}".utf8)
        var headers: [String: String] = [:]
        var delay: Duration?
        var until: Awaited?
        var drop = false
    }

    /// Answers a request as the provider (or a scripted fault) would, after any scripted delay.
    func answer(_ incoming: ServerRequest) async -> ServerResponse {
        let query = incoming.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let request = Request(
            method: incoming.method, path: incoming.path + (query.isEmpty ? "" : "?" + query),
            headers: incoming.headers, body: incoming.body, form: incoming.formParts)
        let response = respond(to: request)
        if let until = response.until {
            await wait(for: until, atMost: response.delay ?? .seconds(60))
        } else if let delay = response.delay {
            try? await Task.sleep(for: delay)
        }
        if response.drop {
            return .dropped
        }
        return ServerResponse(
            status: response.status,
            headers: response.headers.merging(["Content-Type": "application/json"]) { mine, _ in mine },
            body: response.body)
    }

    /// Waits until the requests `awaited` names were recorded, or `limit` has passed.
    private func wait(for awaited: Awaited, atMost limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline
            && state.withLock({ $0.recorded.count { $0.request.path.contains(awaited.path) } }) < awaited.count
        {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: Routing

    private func respond(to request: Request) -> Response {
        switch (request.method, request.path) {
        case ("POST", "/_fake/script"):
            return script(request.body)
        case ("GET", "/_fake/requests"):
            return Response(body: JSONValue.array(state.withLock { $0.recorded }.map(Self.json)).serialized)
        case ("GET", "/_fake/count"):
            return Response(body: Data(#"{"sends":\#(state.withLock { $0.sends })}"#.utf8))
        case ("POST", "/_fake/reset"):
            state.withLock { $0 = State() }
            return Response()
        case ("POST", "/_fake/updates"):
            return queueUpdates(request.body)
        case ("POST", "/_fake/socket/events"):
            let (status, body) = sockets.queueEvents(request.body)
            return Response(status: status, body: body)
        case ("POST", "/_fake/socket/control"):
            let (status, body) = sockets.control(request.body)
            return Response(status: status, body: body)
        case ("GET", "/_fake/socket/state"):
            return Response(body: sockets.stateJSON())
        default:
            break
        }
        if request.method == "GET", request.path.hasPrefix(Self.filesPrefix) {
            return Self.file(request.path)
        }
        if let rule = takeRule(for: request.path) {
            if rule.pass {
                var response = providerResponse(to: request)
                response.delay = rule.delay
                response.until = rule.until
                return response
            }
            record(request, scripted: true)
            return Response(
                status: rule.status, body: rule.body, headers: rule.headers, delay: rule.delay, until: rule.until,
                drop: rule.drop)
        }
        return providerResponse(to: request)
    }

    /// Where the fake serves files of any size, made from their names: `/_fake/files/NAME?bytes=N`.
    static let filesPrefix = "/_fake/files/"

    /// A file of the size its query asks (at most 64 MiB), which starts as a PNG does and goes on with
    /// bytes drawn from its name, so two names are two files. Not recorded: it is no provider's send.
    private static func file(_ path: String) -> Response {
        let parts = path.split(separator: "?", maxSplits: 1)
        let query = parts.count > 1 ? parts[1] : ""
        let size =
            query.split(separator: "&").compactMap { pair -> Int? in
                pair.hasPrefix("bytes=") ? Int(pair.dropFirst(6)) : nil
            }.first.map { min(max($0, 8), 64 << 20) } ?? 1_024
        var state = UInt64(truncatingIfNeeded: String(parts[0]).hashValue) | 1
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.replaceSubrange(0..<8, with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        for index in 8..<size {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        return Response(body: Data(bytes), headers: ["Content-Type": "image/png"])
    }

    private func script(_ body: Data) -> Response {
        guard case .array(let rules)? = try? JSONParser.parse(body) else {
            return Response(status: 400, body: Data(#"{"error":"expected a JSON array of rules"}"#.utf8))
        }
        let parsed = rules.compactMap { value -> Rule? in
            guard case .object(let rule) = value else { return nil }
            let body: Data =
                switch (rule["raw"], rule["raw_base64"], rule["body"]) {
                case (.string(let raw)?, _, _): Data(raw.utf8)
                case (_, .string(let encoded)?, _): Data(base64Encoded: encoded) ?? Data()
                case (_, _, let body?): body.serialized
                default: Data("{}".utf8)
                }
            var headers: [String: String] = [:]
            if case .object(let object)? = rule["headers"] {
                for member in object.members {
                    if case .string(let value) = member.value { headers[member.key] = value }
                }
            }
            return Rule(
                path: rule["path"]?.stringValue ?? "", remaining: Int(rule["times"]?.integerValue ?? 1),
                skip: Int(rule["skip"]?.integerValue ?? 0),
                status: Int(rule["status"]?.integerValue ?? 200), body: body, headers: headers,
                delay: .milliseconds(rule["delay_ms"]?.integerValue ?? 0),
                drop: rule["drop"] == .bool(true), pass: rule["pass"] == .bool(true),
                until: rule["until"]?.objectValue.map { until in
                    Awaited(path: until["path"]?.stringValue ?? "", count: Int(until["count"]?.integerValue ?? 1))
                }
            )
        }
        state.withLock { $0.rules += parsed }
        return Response()
    }

    private func takeRule(for path: String) -> Rule? {
        state.withLock { state in
            guard let index = state.rules.firstIndex(where: { $0.remaining > 0 && path.contains($0.path) }) else {
                return nil
            }
            if state.rules[index].skip > 0 {
                state.rules[index].skip -= 1
                return nil
            }
            state.rules[index].remaining -= 1
            return state.rules[index]
        }
    }

    private func record(_ request: Request, scripted: Bool, deduplicated: Bool? = nil, messageID: String? = nil) {
        let entry = Recorded(
            request: request, scripted: scripted, deduplicated: deduplicated, messageID: messageID,
            at: QueueBenchmark.wallNanoseconds())
        state.withLock { state in
            state.recorded.append(entry)
            if !scripted && ProviderRoute.sends.contains(where: { $0.matches(request.path) }) { state.sends += 1 }
        }
    }

    private static func json(_ recorded: Recorded) -> JSONValue {
        let request = recorded.request
        var entry = JSONObject([
            "method": .string(request.method), "path": .string(request.path),
            "scripted": .bool(recorded.scripted), "at_ns": .integer(recorded.at),
        ])
        if let form = request.form {
            entry.set("form", .array(form.map(Self.json)))
        } else if let body = try? JSONParser.parse(request.body) {
            entry.set("body", body)
        } else if let text = String(data: request.body, encoding: .utf8) {
            entry.set("body", .string(text))
        } else {
            entry.set("body_base64", .string(request.body.base64EncodedString()))
        }
        var headers = JSONObject()
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers.set(name, .string(value)) }
        entry.set("headers", .object(headers))
        entry.set("deduplicated", recorded.deduplicated.map(JSONValue.bool))
        entry.set("message_id", recorded.messageID.map(JSONValue.string))
        if let caption = request.field("caption") {
            entry.set("text", .string(caption))
        } else if let body = request.json {
            entry.set("text", replyText(path: request.path, body: body).map(JSONValue.string))
        }
        return .object(entry)
    }

    private static func json(_ part: ReceivedFormPart) -> JSONValue {
        var object = JSONObject([
            "name": .string(part.name), "size": .integer(Int64(part.data.count)),
            "sha256": .string(WebhookCrypto.hex(WebhookCrypto.sha256(part.data))),
        ])
        object.set("file_name", part.fileName.map(JSONValue.string))
        object.set("content_type", part.contentType.map(JSONValue.string))
        if part.fileName == nil { object.set("value", .string(String(decoding: part.data, as: UTF8.self))) }
        return .object(object)
    }

    /// The text of a send, from where each provider's API carries it.
    private static func replyText(path: String, body: JSONObject) -> String? {
        /// A member that is itself a JSON object encoded as a string (Feishu's `content`, DingTalk's `msgParam`).
        func encoded(_ key: String, _ member: String) -> String? {
            guard let text = body[key]?.stringValue, case .object(let inner)? = try? JSONParser.parse(Data(text.utf8))
            else { return nil }
            return inner[member]?.stringValue
        }
        if ProviderRoute.telegramSend.matches(path) || ProviderRoute.slackPost.matches(path)
            || ProviderRoute.telegramEdit.matches(path) || ProviderRoute.slackUpdate.matches(path)
        {
            return body["text"]?.stringValue
        }
        if ProviderRoute.discordMessages.matches(path) || ProviderRoute.discordMessage.matches(path) {
            return body["content"]?.stringValue
        }
        if ProviderRoute.slackCompleteUpload.matches(path) {
            return body["initial_comment"]?.stringValue
        }
        if ProviderRoute.feishuSend.matches(path) || ProviderRoute.feishuReply.matches(path)
            || ProviderRoute.feishuMessage.matches(path)
        {
            return encoded("content", "text")
        }
        if ProviderRoute.dingtalkDirect.matches(path) || ProviderRoute.dingtalkGroup.matches(path) {
            return encoded("msgParam", "content")
        }
        if ProviderRoute.wecomDirect.matches(path) || ProviderRoute.wecomGroup.matches(path) {
            if case .object(let text)? = body["text"] { return text["content"]?.stringValue }
            return nil
        }
        if ProviderRoute.wechatSend.matches(path), case .object(let message)? = body["msg"],
            case .array(let items)? = message["item_list"], case .object(let item)? = items.first,
            case .object(let textItem)? = item["text_item"]
        {
            return textItem["text"]?.stringValue
        }
        return nil
    }

    /// What each provider answers to a well-formed request.
    private func providerResponse(to request: Request) -> Response {
        let path = request.path
        let id = state.withLock { state in
            defer { state.nextMessageID += 1 }
            return state.nextMessageID
        }
        if ProviderRoute.slackConnectionsOpen.matches(path) {
            record(request, scripted: false)
            let url = JSONValue.string(sockets.url("slack") + "?ticket=\(id)")
            return Response(body: JSONValue.object(JSONObject(["ok": .bool(true), "url": url])).serialized)
        }
        if ProviderRoute.feishuSocketEndpoint.matches(path) {
            record(request, scripted: false)
            let config = JSONObject(["PingInterval": .integer(sockets.feishuPingSeconds)])
            let data = JSONObject([
                "URL": .string(sockets.url("feishu") + "?device_id=d1&service_id=77"), "ClientConfig": .object(config),
            ])
            return Response(
                body: JSONValue.object(JSONObject(["code": .integer(0), "msg": .string("ok"), "data": .object(data)]))
                    .serialized)
        }
        if ProviderRoute.dingtalkStreamOpen.matches(path) {
            record(request, scripted: false)
            return Response(
                body: JSONValue.object(
                    JSONObject(["endpoint": .string(sockets.url("dingtalk")), "ticket": .string("ticket+\(id)/=")])
                ).serialized)
        }
        if ProviderRoute.discordGatewayBot.matches(path) {
            record(request, scripted: false)
            return Response(
                body: JSONValue.object(JSONObject(["url": .string(sockets.url("discord")), "shards": .integer(1)]))
                    .serialized)
        }
        if ProviderRoute.telegramSend.matches(path) {
            record(request, scripted: false, messageID: String(id))
            let text = (try? JSONParser.parse(request.body))?.objectValue?["text"]?.stringValue
            state.withLock { $0.telegramTexts[String(id)] = text }
            return Response(body: Data(#"{"ok":true,"result":{"message_id":\#(id)}}"#.utf8))
        }
        if ProviderRoute.telegramEdit.matches(path) {
            record(request, scripted: false)
            return telegramEdit(request)
        }
        if ProviderRoute.slackUpdate.matches(path) {
            record(request, scripted: false)
            let ts = (try? JSONParser.parse(request.body))?.objectValue?["ts"]?.stringValue ?? ""
            return Response(body: JSONValue.object(JSONObject(["ok": .bool(true), "ts": .string(ts)])).serialized)
        }
        if ProviderRoute.discordMessage.matches(path) && request.method == "PATCH" {
            record(request, scripted: false)
            let messageID = String(path.split(separator: "/").last ?? "")
            return Response(body: JSONValue.object(JSONObject(["id": .string(messageID)])).serialized)
        }
        if ProviderRoute.feishuMessage.matches(path) && request.method == "PUT" {
            record(request, scripted: false)
            let messageID = String(path.split(separator: "/").last ?? "")
            return Response(
                body: Data(#"{"code":0,"msg":"success","data":{"message_id":"\#(messageID)"}}"#.utf8))
        }
        if ProviderRoute.slackPost.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ok":true,"ts":"1732262400.\#(id)"}"#.utf8))
        }
        if ProviderRoute.discordMessages.matches(path) {
            return discordMessage(request, id: id)
        }
        if ProviderRoute.feishuToken.matches(path) {
            return Response(
                body: Data(#"{"code":0,"msg":"ok","tenant_access_token":"t-fake-tenant","expire":7200}"#.utf8))
        }
        if ProviderRoute.feishuSend.matches(path) || ProviderRoute.feishuReply.matches(path) {
            let uuid = request.json?["uuid"]?.stringValue
            let posted: String? = state.withLock { state in
                guard let uuid else { return nil }
                if let posted = state.feishuUUIDs[uuid] { return posted }
                state.feishuUUIDs[uuid] = "om_\(id)"
                return nil
            }
            record(request, scripted: false, deduplicated: uuid == nil ? nil : posted != nil)
            return Response(
                body: Data(#"{"code":0,"msg":"success","data":{"message_id":"\#(posted ?? "om_\(id)")"}}"#.utf8))
        }
        if ProviderRoute.dingtalkToken.matches(path) {
            return Response(body: Data(#"{"accessToken":"fake-dingtalk-token","expireIn":7200}"#.utf8))
        }
        if ProviderRoute.dingtalkDirect.matches(path) || ProviderRoute.dingtalkGroup.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"processQueryKey":"pqk-\#(id)"}"#.utf8))
        }
        if ProviderRoute.wecomToken.matches(path) {
            return Response(
                body: Data(#"{"errcode":0,"errmsg":"ok","access_token":"fake-wecom-token","expires_in":7200}"#.utf8))
        }
        if ProviderRoute.wecomDirect.matches(path) || ProviderRoute.wecomGroup.matches(path) {
            let checked = request.json?["enable_duplicate_check"]?.integerValue == 1
            let repeated = checked && !state.withLock { $0.wecomChecked.insert(request.body).inserted }
            record(request, scripted: false, deduplicated: checked ? repeated : nil)
            return Response(body: Data(#"{"errcode":0,"errmsg":"ok"}"#.utf8))
        }
        if ProviderRoute.wechatSend.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ret":0}"#.utf8))
        }
        if ProviderRoute.telegramTyping.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ok":true,"result":true}"#.utf8))
        }
        if ProviderRoute.slackThreadStatus.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ok":true}"#.utf8))
        }
        if ProviderRoute.wechatConfig.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ret":0,"typing_ticket":"fake-typing-ticket"}"#.utf8))
        }
        if ProviderRoute.wechatTyping.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"ret":0}"#.utf8))
        }
        if ProviderRoute.discordTyping.matches(path) {
            record(request, scripted: false)
            return Response(status: 204, body: Data())
        }
        if ProviderRoute.telegramUpdates.matches(path) {
            record(request, scripted: false)
            return telegramUpdates(request)
        }
        if ProviderRoute.wechatUpdates.matches(path) {
            record(request, scripted: false)
            return wechatUpdates(request)
        }
        // Last: the text routes above are what benchmarks send, and each route checked costs them.
        if let upload = fileResponse(to: request, id: id) {
            return upload
        }
        if path == "/agent" {
            record(request, scripted: false)
            guard case .object(let turn)? = try? JSONParser.parse(request.body),
                case .string(let message)? = turn["message"]
            else {
                return Response(status: 400, body: Data(#"{"error":"expected {\"message\": ...}"}"#.utf8))
            }
            return Response(body: JSONValue.object(JSONObject(["reply": .string("agent: " + message)])).serialized)
        }
        return Response(status: 404, body: Data(#"{"message":"404: Not Found","code":0}"#.utf8))
    }

    /// The file routes: Telegram's sends of a file, Slack's external upload, the media uploads, WeChat's
    /// upload address and its CDN; nil for any other route.
    private func fileResponse(to request: Request, id: Int) -> Response? {
        let path = request.path
        let host = request.headers["host"] ?? "127.0.0.1"
        let telegramFiles: [ProviderRoute] = [
            .telegramSendPhoto, .telegramSendVoice, .telegramSendAudio, .telegramSendVideo, .telegramSendDocument,
        ]
        if telegramFiles.contains(where: { $0.matches(path) }) {
            record(request, scripted: false, messageID: String(id))
            guard request.form?.contains(where: { $0.fileName != nil }) == true, request.field("chat_id") != nil else {
                return Response(
                    status: 400,
                    body: Data(
                        #"{"ok":false,"error_code":400,"description":"Bad Request: there is no file in the request"}"#
                            .utf8))
            }
            return Response(body: Data(#"{"ok":true,"result":{"message_id":\#(id)}}"#.utf8))
        }
        if ProviderRoute.slackUploadURL.matches(path) {
            record(request, scripted: false)
            let answer = JSONObject([
                "ok": .bool(true), "upload_url": .string("http://\(host)\(Self.slackUploadPrefix)F\(id)"),
                "file_id": .string("F\(id)"),
            ])
            return Response(body: JSONValue.object(answer).serialized)
        }
        if path.hasPrefix(Self.slackUploadPrefix) {
            record(request, scripted: false)
            return Response(body: Data("OK - \(request.body.count)".utf8), headers: ["Content-Type": "text/plain"])
        }
        if ProviderRoute.slackCompleteUpload.matches(path) {
            record(request, scripted: false)
            let files = request.json?["files"] ?? .array([])
            return Response(body: JSONValue.object(JSONObject(["ok": .bool(true), "files": files])).serialized)
        }
        if ProviderRoute.feishuImageUpload.matches(path) || ProviderRoute.feishuFileUpload.matches(path) {
            record(request, scripted: false)
            let key = ProviderRoute.feishuImageUpload.matches(path) ? "image_key" : "file_key"
            return Response(body: Data(#"{"code":0,"msg":"success","data":{"\#(key)":"key_\#(id)"}}"#.utf8))
        }
        if ProviderRoute.dingtalkMediaUpload.matches(path) || ProviderRoute.wecomMediaUpload.matches(path) {
            record(request, scripted: false)
            return Response(body: Data(#"{"errcode":0,"errmsg":"ok","type":"file","media_id":"media_\#(id)"}"#.utf8))
        }
        if ProviderRoute.wechatUploadURL.matches(path) {
            record(request, scripted: false)
            let fileKey = request.json?["filekey"]?.stringValue ?? ""
            let url = "http://\(host)\(Self.wechatCDNPrefix)upload?filekey=\(fileKey)"
            return Response(
                body: JSONValue.object(JSONObject(["ret": .integer(0), "upload_full_url": .string(url)])).serialized)
        }
        if path.hasPrefix(Self.wechatCDNPrefix + "upload") {
            record(request, scripted: false)
            return Response(
                body: Data(), headers: ["x-encrypted-param": "cdn_\(id)", "Content-Type": "application/octet-stream"])
        }
        return nil
    }

    /// Where the fake takes a Slack upload's bytes, and WeChat's CDN uploads.
    static let slackUploadPrefix = "/_fake/slack-upload/"
    static let wechatCDNPrefix = "/_fake/wechat-cdn/"

    /// Telegram's `editMessageText`: an edit to the text the message shows already is refused.
    private func telegramEdit(_ request: Request) -> Response {
        let body = (try? JSONParser.parse(request.body))?.objectValue
        let messageID = body?["message_id"]?.integerValue.map { String($0) } ?? ""
        let text = body?["text"]?.stringValue
        let known = state.withLock { state in
            defer { if state.telegramTexts[messageID] != nil { state.telegramTexts[messageID] = text } }
            return state.telegramTexts[messageID]
        }
        guard let known else {
            return Response(
                status: 400,
                body: Data(
                    #"{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}"#.utf8))
        }
        guard known != text else {
            return Response(
                status: 400,
                body: Data(
                    #"{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}"#
                        .utf8))
        }
        return Response(body: Data(#"{"ok":true,"result":{"message_id":\#(messageID)}}"#.utf8))
    }

    private func queueUpdates(_ body: Data) -> Response {
        guard case .object(let queued)? = try? JSONParser.parse(body) else {
            return Response(
                status: 400, body: Data(#"{"error":"expected {\"telegram\": [...], \"wechat\": [...]}"}"#.utf8))
        }
        state.withLock { state in
            state.telegramUpdates += queued["telegram"]?.arrayValue ?? []
            state.wechatMessages += queued["wechat"]?.arrayValue ?? []
        }
        return Response()
    }

    /// Telegram: the queued updates from `offset` on, at most `limit`; Telegram forgets those below it.
    private func telegramUpdates(_ request: Request) -> Response {
        let parameters = (try? JSONParser.parse(request.body))?.objectValue
        let offset = parameters?["offset"]?.integerValue ?? 0
        let limit = max(0, Int(parameters?["limit"]?.integerValue ?? 100))
        let timeout = Duration.seconds(parameters?["timeout"]?.integerValue ?? 0)
        let updates = state.withLock { state in
            state.telegramUpdates.removeAll { ($0.objectValue?["update_id"]?.integerValue ?? 0) < offset }
            return Array(state.telegramUpdates.prefix(limit))
        }
        let answer = JSONValue.object(JSONObject(["ok": .bool(true), "result": .array(updates)]))
        return Response(body: answer.serialized, delay: updates.isEmpty ? min(timeout, Self.emptyPollHold) : nil)
    }

    /// WeChat: the queued messages after the cursor (`c` and how many were answered before), a page at a time.
    private func wechatUpdates(_ request: Request) -> Response {
        let cursor = (try? JSONParser.parse(request.body))?.objectValue?["get_updates_buf"]?.stringValue ?? ""
        let start = max(0, Int(cursor.dropFirst()) ?? 0)
        let messages = state.withLock { state in
            Array(state.wechatMessages.dropFirst(start).prefix(Self.wechatPage))
        }
        let answer = JSONValue.object(
            JSONObject([
                "ret": .integer(0), "msgs": .array(messages),
                "get_updates_buf": .string("c\(start + messages.count)"), "longpolling_timeout_ms": .integer(35_000),
            ]))
        return Response(body: answer.serialized, delay: messages.isEmpty ? Self.emptyPollHold : nil)
    }

    /// Discord: a nonce sent again with `enforce_nonce` returns the message it created (with the text it
    /// was posted with), without a new post.
    private func discordMessage(_ request: Request, id: Int) -> Response {
        guard let body = request.json, case .string(let content)? = body["content"] else {
            record(request, scripted: false)
            return Response(status: 400, body: Data(#"{"message":"Cannot send an empty message","code":50006}"#.utf8))
        }
        let nonce = body["nonce"]?.stringValue
        let enforced = body["enforce_nonce"] == .bool(true)
        let existing: (id: String, content: String)? = state.withLock { state in
            guard enforced, let nonce else { return nil }
            if let existing = state.discordNonces[nonce] { return existing }
            state.discordNonces[nonce] = (String(id), content)
            return nil
        }
        record(request, scripted: false, deduplicated: existing != nil)
        let message = existing ?? (String(id), content)
        return Response(
            body: JSONValue.object(JSONObject(["id": .string(message.id), "content": .string(message.content)]))
                .serialized)
    }
}
