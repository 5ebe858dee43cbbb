import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization

/// The dashboard's signed-in sessions, held in `serve`'s memory: a restart signs everyone out.
///
/// A session is a random id in an `HttpOnly` cookie and a random CSRF token that every form posts back.
/// Signing out removes it here, so a copy of the cookie is worth nothing afterwards. Sessions are only
/// made by signing in with the token, and expired ones are dropped at each sign-in, so the table holds
/// no more than the sign-ins of one lifetime.
final class SessionTable: Sendable {
    struct Session: Sendable {
        let id: String
        let csrf: String
    }

    static let cookie = "sb_session"
    let lifetime: Duration
    /// Session id → its CSRF token and expiry.
    private let sessions = Mutex([String: (csrf: String, expires: ContinuousClock.Instant)]())

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// A new session.
    func open() -> Session {
        let session = Session(id: Self.randomHex(), csrf: Self.randomHex())
        let now = ContinuousClock.now
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > now }
            sessions[session.id] = (session.csrf, now + lifetime)
        }
        return session
    }

    /// The live session a request's `Cookie` header names; nil when it names none.
    func find(cookieHeader: String?) -> Session? {
        guard let id = Self.sessionID(cookieHeader) else { return nil }
        return sessions.withLock { sessions in
            guard let found = sessions[id], found.expires > .now else {
                sessions[id] = nil
                return nil
            }
            return Session(id: id, csrf: found.csrf)
        }
    }

    func close(_ session: Session) {
        sessions.withLock { $0[session.id] = nil }
    }

    /// The session cookie's value among a `Cookie` header's pairs.
    private static func sessionID(_ header: String?) -> String? {
        header?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(cookie + "=") }.map { String($0.dropFirst(cookie.count + 1)) }
    }

    /// 32 bytes from the system CSPRNG, in hex: a session id or a CSRF token.
    private static func randomHex() -> String {
        WebhookCrypto.hex(Data(SecretToken.randomBytes(32)))
    }
}
