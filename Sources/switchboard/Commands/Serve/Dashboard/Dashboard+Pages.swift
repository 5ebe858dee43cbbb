import ChatStore
import Enqueuer
import Foundation
import Queue

/// The pages that read: each a function of the store and the query string.
extension Dashboard {
    /// Rows on one page of jobs or dead letters; a link leads to the next page.
    static let pageSize = 100

    func queues(_ session: Session?) async throws -> HTML {
        let stats = try await store.stats()
        let paused = try await store.pausedQueues()
        let names = Set(stats.queues.map(\.queue)).union(paused.keys).sorted()
        let rows = names.map { name -> [HTML] in
            let counts = stats.queues.first { $0.queue == name }
            var row = [HTML.text(name)] + JobState.allCases.map { HTML.text(String(counts?.counts[$0] ?? 0)) }
            row.append(HTML.text(counts?.oldestReadyAge.map { String(format: "%.1f s", $0.seconds) } ?? "–"))
            row.append(HTML.text(paused[name] == nil ? "running" : "paused"))
            if let session {
                row.append(
                    paused[name] == nil
                        ? form("pause", ["queue": name], "Pause", session)
                        : form("resume", ["queue": name], "Resume", session))
            }
            return row
        }
        let header =
            ["queue"] + JobState.allCases.map(\.rawValue) + ["oldest ready", "claims"] + (session == nil ? [] : [""])
        return HTML.table(header, rows) + HTML(trusted: "<h2>Completed per minute, last hour</h2>") + throughput.chart()
    }

    /// Jobs in id order, filtered by queue, kind and state, a page at a time after the id in `after`.
    func jobs(_ query: [String: String]) async throws -> HTML {
        let filter = try JobFilter(query)
        let after = try query.nonEmpty("after").map { text throws(DashboardQueryError) -> Int64 in
            guard let id = Int64(text), id >= 0 else { throw DashboardQueryError("after", "must be a job id") }
            return id
        }
        let found = try await store.jobs(
            state: filter.state, queue: filter.queue, kind: filter.kind, after: after, limit: Self.pageSize + 1)
        let shown = found.prefix(Self.pageSize)
        let rows = shown.map { job -> [HTML] in
            [
                HTML.link("/dashboard/jobs/\(job.id)", String(job.id)), .text(job.queue), .text(job.kind),
                .text(JobPrinter.state(job)), .text("\(job.attempts)/\(job.maxAttempts)"), .text(job.runAt.description),
                .text(job.lastError.map { String($0.prefix(200)) } ?? ""),
            ]
        }
        let stateChoices = ([""] + JobState.allCases.map(\.rawValue)).map { state in
            "<option value=\"\(state)\"\(filter.state?.rawValue == state ? " selected" : "")>\(state.isEmpty ? "any" : state)</option>"
        }.joined()
        let filterForm = HTML(
            trusted: """
                <form method="get" action="/dashboard/jobs">\(filter.inputs)<label>state <select name="state">\(stateChoices)</select></label><button>Filter</button></form>
                """)
        return filterForm + HTML.table(["id", "queue", "kind", "state", "attempts", "run at", "last error"], rows)
            + pages(
                "/dashboard/jobs", filter.parameters, first: after != nil,
                next: found.count > Self.pageSize ? shown.last.map { String($0.id) } : nil)
    }

    func workers() async throws -> HTML {
        let now = store.clock.now()
        let rows = try await store.workers().map { worker -> [HTML] in
            let registration = worker.registration
            let totals = registration.tally.totals
            return [
                registration.id, worker.state(at: now).rawValue, registration.version,
                registration.queues.joined(separator: ","), "\(registration.inFlight)/\(registration.concurrency)",
                Self.wakeups(registration.wakeups), "\(totals.completed)", "\(totals.retried)",
                "\(totals.deadLettered)", worker.seenAt.description,
            ].map(HTML.text)
        }
        return HTML.table(
            ["worker", "state", "version", "queues", "running", "wake-ups", "completed", "retried", "dead", "seen"],
            rows)
    }

    /// How a worker notices new work, with the reason when it polls.
    private static func wakeups(_ wakeups: Wakeups?) -> String {
        guard let wakeups else { return "-" }
        guard case .polling(let reason) = wakeups else { return wakeups.description }
        return "polling: \(reason)"
    }

    /// Dead letters in the order they died, filtered by queue and kind, a page at a time after the
    /// position in `after` (`MILLISECONDS:ID`, the last one's death time and id).
    func deadLetters(_ query: [String: String], _ session: Session?) async throws -> HTML {
        let filter = try JobFilter(query, states: false)
        let after = try query.nonEmpty("after").map(DeadLetterPosition.init(parameter:))
        let found = try await store.deadLetters(
            queue: filter.queue, kind: filter.kind, after: after, limit: Self.pageSize + 1)
        let shown = found.prefix(Self.pageSize)
        let rows = shown.map { job -> [HTML] in
            var row = [
                HTML.link("/dashboard/jobs/\(job.id)", String(job.id)), .text(job.queue), .text(job.kind),
                .text(job.deadReason?.rawValue ?? ""), .text(job.finishedAt?.description ?? ""),
                .text(job.lastError.map { String($0.prefix(200)) } ?? ""),
            ]
            if let session {
                row.append(
                    form("redrive", ["id": String(job.id)], "Redrive", session)
                        + form("purge", ["id": String(job.id)], "Purge", session))
            }
            return row
        }
        let filterForm = HTML(
            trusted: """
                <form method="get" action="/dashboard/dead-letters">\(filter.inputs)<button>Filter</button></form>
                """)
        let header = ["id", "queue", "kind", "reason", "died at", "last error"] + (session == nil ? [] : [""])
        return filterForm + HTML.table(header, rows)
            + pages(
                "/dashboard/dead-letters", filter.parameters, first: after != nil,
                next: found.count > Self.pageSize ? shown.last.flatMap(DeadLetterPosition.init)?.parameter : nil)
    }

    func jobPage(_ job: JobRecord, _ session: Session?) -> HTML {
        let facts: [(String, String)] = [
            ("queue", job.queue), ("kind", job.kind),
            ("state", JobPrinter.state(job)),
            ("attempts", "\(job.attempts) of \(job.maxAttempts)"), ("run at", job.runAt.description),
            ("group", job.groupKey ?? "–"), ("worker", job.workerID ?? "–"), ("last error", job.lastError ?? "–"),
        ]
        var actions: [HTML] = []
        if let session {
            let id = ["id": String(job.id)]
            if JobState.live.contains(job.state) { actions.append(form("cancel", id, "Cancel", session)) }
            if job.state == .scheduled { actions.append(form("retry", id, "Run now", session)) }
            if job.state == .dead {
                actions += [form("redrive", id, "Redrive", session), form("purge", id, "Purge", session)]
            }
        }
        let history = job.errorHistory.map { failure in
            [
                HTML.text(String(failure.attempt)), .text(Timestamp(millisecondsSince1970: failure.at).description),
                .text(failure.error),
            ]
        }
        return HTML.table(["", ""], facts.map { [HTML.text($0.0), HTML.text($0.1)] }) + HTML.join(actions)
            + HTML(trusted: "<h2>Payload</h2>") + HTML.element("pre", JobPrinter.text(ChatJob.displayable(job.payload)))
            + (job.checkpoint.map { HTML(trusted: "<h2>Checkpoint</h2>") + HTML.element("pre", JobPrinter.text($0)) }
                ?? HTML.join([]))
            + HTML(trusted: "<h2>Error history</h2>") + HTML.table(["attempt", "at", "error"], history)
    }

    func links() async throws -> HTML {
        let counts = try await chat.linkCounts()
        let rows: [(String, Int)] = [
            ("server links", counts.serverLinks), ("user links", counts.userLinks),
            ("chats connected by code", counts.channelConnections), ("link tokens pending", counts.pendingLinkTokens),
        ]
        return HTML.table(["links", "count"], rows.map { [HTML.text($0.0), HTML.text(String($0.1))] })
    }

    /// Links to the first page (when this is not it) and the next one (when there is more), keeping the
    /// filters.
    private func pages(_ path: String, _ filters: [(String, String)], first: Bool, next: String?) -> HTML {
        var links: [HTML] = []
        if first { links.append(HTML.link(path + Self.query(filters), "First page")) }
        if let next { links.append(HTML.link(path + Self.query(filters + [("after", next)]), "Next page")) }
        return links.isEmpty
            ? HTML(trusted: "")
            : HTML(trusted: "<p class=\"pages\">") + HTML.join(links)
                + HTML(trusted: "</p>")
    }

    /// `?name=value&...`, each percent-encoded byte by byte (only ASCII letters, digits and `-._~` are
    /// left as they are); empty for no parameters.
    static func query(_ parameters: [(String, String)]) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let hex = Array("0123456789ABCDEF")
        let encode = { (text: String) in
            String(
                text.utf8.flatMap { byte -> [Character] in
                    unreserved.contains(byte)
                        ? [Character(UnicodeScalar(byte))] : ["%", hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
                })
        }
        return parameters.isEmpty
            ? "" : "?" + parameters.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}

/// The filters a list page reads from its query string, and writes back into its form and its links.
private struct JobFilter {
    let queue: String?
    let kind: String?
    let state: JobState?

    init(_ query: [String: String], states: Bool = true) throws(DashboardQueryError) {
        queue = query.nonEmpty("queue")
        kind = query.nonEmpty("kind")
        guard states, let text = query.nonEmpty("state") else {
            state = nil
            return
        }
        guard let state = JobState(rawValue: text) else {
            throw DashboardQueryError(
                "state", "must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.state = state
    }

    /// The filters as query parameters, for the links to other pages.
    var parameters: [(String, String)] {
        [("queue", queue), ("kind", kind), ("state", state?.rawValue)].compactMap { name, value in
            value.map { (name, $0) }
        }
    }

    /// The queue and kind inputs, filled in.
    var inputs: String {
        """
        <label>queue <input name="queue" value="\(HTML.text(queue ?? "").markup)"></label>\
        <label>kind <input name="kind" value="\(HTML.text(kind ?? "").markup)"></label>
        """
    }
}

/// A query parameter a page cannot use: its name and what it must be, never its value.
struct DashboardQueryError: Error, CustomStringConvertible {
    let parameter: String
    let problem: String

    init(_ parameter: String, _ problem: String) {
        self.parameter = parameter
        self.problem = problem
    }

    var description: String { "\(parameter) \(problem)." }
}

extension DeadLetterPosition {
    /// The position as a query parameter: `MILLISECONDS:ID`.
    fileprivate var parameter: String {
        "\(finishedAt.millisecondsSince1970):\(id)"
    }

    fileprivate init(parameter text: String) throws(DashboardQueryError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = Int64(parts[0]), let id = Int64(parts[1]), id >= 0 else {
            throw DashboardQueryError("after", "must be a dead letter's position, MILLISECONDS:ID")
        }
        self.init(finishedAt: Timestamp(millisecondsSince1970: milliseconds), id: id)
    }
}

extension [String: String] {
    /// A parameter's value, nil when it is missing or empty (an empty filter field filters nothing).
    fileprivate func nonEmpty(_ name: String) -> String? {
        self[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
