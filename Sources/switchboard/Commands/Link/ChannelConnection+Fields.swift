import ChatStore
import JSON

extension ChannelConnection {
    /// The connection as `connect list --json` and the API show it; the owner is the caller's to add.
    var fields: JSONObject {
        [
            "id": id, "provider": provider, "workspace": workspace, "user": user,
            "created_at": createdAt.description,
        ]
    }
}
