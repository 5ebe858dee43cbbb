import Enqueuer
import Foundation
import JSON
import Queue

extension IntakeResult {
    /// The JSON line `intake` prints.
    var fields: JSONObject {
        var fields: JSONObject = ["status": status.rawValue]
        fields.set("job_id", jobID)
        fields.set("kind", kind)
        fields.set("dedupe_key", dedupeKey)
        switch status {
        case .rejected: fields.set("error", detail)
        case .ignored: fields.set("reason", detail)
        case .enqueued, .duplicate: break
        }
        fields.set("challenge", challenge)
        return fields
    }
}
