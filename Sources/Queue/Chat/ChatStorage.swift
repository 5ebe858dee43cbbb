import Foundation
import Queue

/// What a database must do for the chat tables (connect codes, channel connections, link tokens, platform
/// links, conversation history, pollers' cursors, stream holds, frames queued for sockets): the chat part
/// of the storage seam, beside `JobStorage`.
///
/// `ChatStore` keeps the rules that need no database (checking values, drawing codes and tokens, their
/// digests); a backend keeps every statement. Each method is one transaction, with the time read inside
/// it, so every rule that must hold under concurrency (the pending-code cap, single use of a code or
/// token, one owner per identity, one link per server or user) holds inside one transaction.
package protocol ChatStorage: Sendable {
    /// Stores a connect code's digest for `owner` on `provider`, valid for `lifetime`; returns its expiry.
    /// - Throws: `LinkError.tooManyPending` when `owner` already has `maxPending` unexpired, unused codes.
    func insertConnectCode(digest: Data, owner: String, provider: String, lifetime: Duration, maxPending: Int)
        async throws -> Timestamp
    /// Consumes a code and binds `identity` to its owner, revoking any earlier owner; returns the owner.
    /// Presenting it again from the identity that consumed it answers the same owner and changes nothing.
    func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String
    func connectedOwner(_ identity: ChannelIdentity) async throws -> String?

    /// Stores a link token's digest, superseding the pending ones for the same server or user.
    func insertLinkToken(digest: Data, type: LinkType, platform: String, subject: String, lifetime: Duration)
        async throws -> Timestamp
    /// When a token was used, superseded and expires; nil when there is no such token.
    func linkTokenTimes(digest: Data) async throws -> LinkTokenTimes?
    /// Consumes a token and creates its link, or (on any refusal) neither.
    func confirmLinkToken(digest: Data, account: String, expecting: LinkType?) async throws -> PlatformLink

    func links(account: String) async throws -> [PlatformLink]
    func link(type: LinkType, platform: String, subject: String) async throws -> PlatformLink?
    func deleteLink(id: Int64, account: String) async throws

    func history(conversation: String, limit: Int) async throws -> [HistoryMessage]
    func historyCount(job jobID: Int64) async throws -> Int

    func pollCursor(source: String) async throws -> String?

    /// Takes or renews the hold on `stream` for `holder` until `lifetime` from the transaction's time;
    /// nil, changing nothing, when another holder's unexpired hold stands. Concurrent calls never both
    /// take it.
    func holdStream(_ stream: String, holder: String, lifetime: Duration) async throws -> StreamHold?
    /// Marks the hold released (keeping its token, so the next taker's is higher) if `holder` has it.
    func releaseStream(_ stream: String, holder: String) async throws
    func streamHold(_ stream: String) async throws -> StreamHold?

    /// Stores `frame` for `stream`, queued at the transaction's time; returns its id, higher than every id
    /// handed out before.
    func queueSocketSend(_ frame: String, stream: String) async throws -> Int64
    /// `stream`'s unfinished frames, lowest id first, at most `limit`.
    func pendingSocketSends(stream: String, limit: Int) async throws -> [SocketSend]
    /// Sets the finishing time of the unfinished frames among `ids` to the transaction's time, and deletes
    /// at most `SocketSend.pruneBatch` frames finished over `SocketSend.finishedRetention` before it.
    func finishSocketSends(_ ids: [Int64]) async throws

    func linkCounts() async throws -> LinkCounts
}
