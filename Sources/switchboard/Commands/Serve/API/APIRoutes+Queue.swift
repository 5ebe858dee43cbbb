import Foundation
import JSON
import Queue

/// The queue, for services with the `jobs` scope: enqueue, inspect, cancel and retry jobs, dead letters
/// and counts. A job is described with the fields of `enqueue --batch` lines.
extension APIRoutes {
    /// The most jobs one call enqueues.
    static let maxBatch = 1_000

    static let queueRoutes: [APIRoute] = [
        APIRoute(method: "POST", path: "/api/v1/jobs", access: .service(.jobs)) { routes, call in
            let body = try call.body()
            let defaults = JobLine.Defaults(dedupeTTL: .seconds(86_400))
            guard let batch = body.value("jobs") else {
                let result = try await routes.store.enqueue(try JobLine.parse(body, at: "the body", defaults: defaults))
                return .created(fields(result))
            }
            try body.allowOnly(["jobs"])
            guard let items = batch.arrayValue, (1...maxBatch).contains(items.count) else {
                throw body.error("jobs", "must be an array of 1 to \(maxBatch) jobs")
            }
            let jobs = try items.indices.map { index in
                do {
                    return try JobLine.parse(
                        try JSONFields(root: items[index]), at: "jobs[\(index)]", defaults: defaults)
                } catch let error as JSONFieldError {
                    throw APIProblem.malformed(
                        "jobs[\(index)]" + (error.path.map { ".\($0) \(error.problem)" } ?? ": \(error.problem)"))
                }
            }
            let results = try await routes.store.enqueue(jobs)
            return .created(["jobs": results.map(fields)] as JSONObject)
        },
        APIRoute(method: "GET", path: "/api/v1/jobs/{id}", access: .service(.jobs)) { routes, call in
            guard let job = try await routes.store.job(id: call.id()) else {
                throw QueueError(.notFound, "there is no job \(call.id())")
            }
            var fields = JobPrinter.summary(job)
            fields.set(
                "error_history",
                job.errorHistory.map { failure -> JSONObject in
                    [
                        "attempt": failure.attempt, "at": Timestamp(millisecondsSince1970: failure.at).description,
                        "error": failure.error,
                    ]
                })
            return .ok(fields)
        },
        APIRoute(method: "POST", path: "/api/v1/jobs/{id}/cancel", access: .service(.jobs)) { routes, call in
            try await routes.control(call.id(), "cancelled", from: [.scheduled, .ready, .leased, .blocked]) {
                try await $0.cancel(jobID: $1)
            }
        },
        APIRoute(method: "POST", path: "/api/v1/jobs/{id}/retry", access: .service(.jobs)) { routes, call in
            try await routes.control(call.id(), "run now", from: [.scheduled, .dead]) { try await $0.runNow(jobID: $1) }
        },
        APIRoute(method: "GET", path: "/api/v1/dead-letters", access: .service(.jobs)) { routes, call in
            let query = call.request.query
            let limit = try query["limit"].map { text in
                guard let limit = Int(text), (1...1_000).contains(limit) else {
                    throw APIProblem.malformed("the query's limit must be a whole number from 1 to 1000")
                }
                return limit
            }
            let letters = try await routes.store.deadLetters(queue: query["queue"], limit: limit ?? 100)
            return .ok(["dead_letters": letters.map(JobPrinter.summary)] as JSONObject)
        },
        APIRoute(method: "POST", path: "/api/v1/dead-letters/redrive", access: .service(.jobs)) { routes, call in
            let body = try call.body()
            try body.allowOnly(["ids", "queue"])
            let selection: DeadLetterSelection
            if body.has("ids") && body.has("queue") {
                throw body.error(nil, "takes ids or a queue, not both")
            } else if let ids = body.value("ids") {
                guard let numbers = ids.arrayValue?.compactMap(\.integerValue), numbers.count == ids.arrayValue?.count,
                    (1...maxBatch).contains(numbers.count)
                else { throw body.error("ids", "must be an array of 1 to \(maxBatch) job ids") }
                selection = .ids(numbers)
            } else if let queue = try body.optionalString("queue") {
                selection = .queue(queue)
            } else {
                throw body.error(nil, "needs ids or a queue")
            }
            return .ok(["redriven": try await routes.store.redriveDeadLetters(selection)] as JSONObject)
        },
        APIRoute(method: "GET", path: "/api/v1/queues", access: .service(.jobs)) { routes, _ in
            let stats = try await routes.store.stats()
            let queues = stats.queues.map { queue -> JSONObject in
                var counts = JSONObject()
                for state in JobState.allCases {
                    counts.set(state.rawValue, queue.counts[state] ?? 0)
                }
                return ["queue": queue.queue, "counts": counts]
            }
            return .ok(["queues": queues] as JSONObject)
        },
    ]

    /// Cancels or retries a job: 200 with the state it left, 404 when there is no such job, 409 when it
    /// was in none of the states `from` (the store then left it as it was).
    private func control(
        _ id: Int64, _ done: String, from states: Set<JobState>, _ act: (JobStore, Int64) async throws -> JobState?
    ) async throws -> APIAnswer {
        guard let before = try await act(store, id) else {
            throw QueueError(.notFound, "there is no job \(id)")
        }
        guard states.contains(before) else {
            throw APIProblem(409, "wrong_state", "job \(id) is \(before.rawValue): it cannot be \(done)")
        }
        return .ok(["id": id, "previous_state": before.rawValue] as JSONObject)
    }

    private static func fields(_ result: EnqueueResult) -> JSONObject {
        ["id": result.jobID, "status": result.status.rawValue]
    }
}
