import Foundation

/// The filters and the bound every listing (`jobs list`, `dlq list`) takes.
enum ListOptions {
    static let queue = Option<String>.text("queue", "Q", "only this queue")
    static let kind = Option<String>.text("kind", "K", "only this kind")
    static let limit = Option<Int>.integer(
        "limit", "N", Bounds.limit, "at most this many (default 100); says so when more match")

    static let specs = [Self.queue.spec, Self.kind.spec, Self.limit.spec]
}
