import ChatStore
import Enqueuer
import Foundation
import Queue

enum LinkPrinter {
    static func print(_ links: [PlatformLink], output: Output) {
        if output.json {
            for link in links {
                output.result(
                    "",
                    json: [
                        "id": link.id, "type": link.type.rawValue, "platform": link.platform, "subject": link.subject,
                        "account": link.account, "created_at": link.createdAt.description,
                    ])
            }
            return
        }
        let rows = links.map {
            [String($0.id), $0.type.rawValue, $0.platform, $0.subject, $0.account, $0.createdAt.description]
        }
        output.result(
            TextTable(header: ["id", "type", "platform", "subject", "account", "created"], rows: rows).rendered,
            json: [:])
    }
}
