import Enqueuer
import Foundation
import Queue

/// Each provider's payload normaliser, fed a webhook body, through intake up to the jobs it would write.
enum NormaliserTargets {
    static let all: [FuzzTarget] = Provider.allCases.map { provider in
        FuzzTarget(
            name: "normaliser-\(provider.rawValue)",
            summary: "a \(provider.displayName) payload, normalised and made into a job"
        ) { data throws(FuzzFailure) in
            try IntakePath.take(Delivery(provider: provider, body: data))
        }
    }
}

/// What intake does with a delivery before writing it: normalise it and make its job. The job's payload
/// must read back, for the worker, as the event that was normalised.
enum IntakePath {
    static func take(_ delivery: Delivery) throws(FuzzFailure) {
        let normalised = try? PayloadNormaliser.normalise(
            provider: delivery.provider, body: delivery.body, receivedAt: FuzzSecrets.now)
        let prepared: Intake.Prepared
        do {
            prepared = try FuzzWorld.shared.intake.prepare([delivery])
        } catch {
            throw FuzzFailure("intake could not prepare a delivery: \(error)")
        }
        guard case .message(let event)? = normalised else {
            try FuzzFailure.check(prepared.jobs.isEmpty, "intake made a job of a delivery that is no message")
            return
        }
        try FuzzFailure.check(prepared.jobs.count == 1, "intake made \(prepared.jobs.count) jobs of one message")
        let job = prepared.jobs[0]
        let decoded: InboundEvent
        do {
            decoded = try ChatJob.decode(job.payload).event
        } catch {
            throw FuzzFailure("a worker cannot read the \(job.kind) job intake wrote: \(error)")
        }
        var expected = event
        if job.kind == ChatJob.link {
            expected.text = "/connect"
        }
        try FuzzFailure.check(
            decoded == expected, "the \(job.kind) job reads back as \(decoded), not as the event \(expected)")
    }
}
