import Foundation
import JSON
import Queue

/// What the upload of a delivery's file answered (a key, a media id), kept in the job's checkpoint before
/// the message naming it is sent, so an attempt after a crash sends that file instead of uploading a
/// second copy. It is reused for an hour: within the windows in which Feishu's `uuid` and WeCom's
/// duplicate check recognise the message sent again, and well within the life of what an upload answers
/// (WeCom's media ids last three days); an attempt after that uploads again.
struct UploadRecord: Equatable {
    static let reusedFor = Duration.seconds(3600)

    let reference: String
    let uploadedAt: Timestamp

    init(reference: String, uploadedAt: Timestamp) {
        self.reference = reference
        self.uploadedAt = uploadedAt
    }

    /// The record in a job's checkpoint; nil when there is none, or it is not one.
    init?(checkpoint: Data?) {
        guard let checkpoint, case .object(let object)? = try? JSONParser.parse(checkpoint),
            let reference = object["uploaded"]?.stringValue, !reference.isEmpty,
            let milliseconds = object["at_ms"]?.integerValue
        else { return nil }
        self.init(reference: reference, uploadedAt: Timestamp(millisecondsSince1970: milliseconds))
    }

    var checkpoint: Data {
        JSONValue.object(
            JSONObject([
                "uploaded": .string(reference), "at_ms": .integer(uploadedAt.millisecondsSince1970),
            ])
        ).serialized
    }

    /// Whether a send at `now` may still name what was uploaded.
    func isReusable(at now: Timestamp) -> Bool {
        uploadedAt <= now && now - uploadedAt < Self.reusedFor
    }
}
