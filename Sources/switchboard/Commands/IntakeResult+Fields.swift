import Enqueuer
import Foundation
import Queue

extension IntakeResult {
    /// The JSON line `intake` prints.
    var fields: [String: Any] {
        var fields: [String: Any] = ["status": status.rawValue]
        fields["job_id"] = jobID
        fields["kind"] = kind
        fields["dedupe_key"] = dedupeKey
        switch status {
        case .rejected: fields["error"] = detail
        case .ignored: fields["reason"] = detail
        case .enqueued, .duplicate: break
        }
        fields["challenge"] = challenge
        return fields
    }
}
