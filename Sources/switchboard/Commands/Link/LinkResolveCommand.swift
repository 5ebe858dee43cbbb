import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard link resolve`.
struct LinkResolveCommand: Command {
    static let name = "link resolve"
    static let summary = "Say which account a server or user is linked to"
    static let options = [LinkSubject.type.spec] + LinkSubject.specs
    static let examples = ["switchboard link resolve --platform discord --server-id 81384788765712384"]

    let subject: LinkSubject

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        subject = try LinkSubject(arguments, requireType: false)
    }

    func run(_ context: CommandContext) async throws {
        let links = try ChatStore(try await context.openStore(.readOnly))
        let link = try await links.link(type: subject.type, platform: subject.platform, subject: subject.id)
        context.output.result(
            link.map { "linked to \($0.account) (link \($0.id))" } ?? "not linked",
            json: ["linked": link != nil, "account": link?.account.json, "link_id": link?.id.json]
        )
    }
}
