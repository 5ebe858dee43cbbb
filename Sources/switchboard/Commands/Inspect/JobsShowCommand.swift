import Foundation
import Queue

/// `switchboard jobs show`.
struct JobsShowCommand: Command {
    static let name = "jobs show"
    static let summary = "Show one job, with its payload and error history"
    static let operands = "ID"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard jobs show 42"]

    let id: Int64

    init(_ arguments: Arguments) throws {
        id = try arguments.singleID()
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.readOnly)
        guard let job = try await store.job(id: id) else {
            throw CommandFailure.data(
                "there is no job \(id) (completed jobs are deleted, unless workers keep them with --retain-completed)"
            )
        }
        let workers = job.workerID == nil ? [] : try await store.workers()
        let holder = workers.first { $0.registration.id == job.workerID }
        JobPrinter.detail(job, holder: holder.map { ($0, store.clock.now()) }, output: context.output)
    }
}
