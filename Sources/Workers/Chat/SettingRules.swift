import Enqueuer
import Foundation

/// What a configured value must look like to work, checked wherever it comes from (the file or the
/// environment) by every command that reads the configuration.
///
/// A value that cannot work is refused at start, naming its setting: without these checks a provider
/// without its `bot_token` made the worker send to `/bot/sendMessage` and dead-letter every reply, and
/// the example file's placeholders passed `config check`. Each rule answers what is wrong with a value
/// (to follow the setting's name in a message), or nil; none repeats the value, which may be a secret.
package enum SettingRules {
    /// The shortest `dashboard.token` or `intake.token`: a bearer token that guards writes must not be
    /// guessable (32 characters of hex are 128 bits).
    package static let minimumTokenLength = 32

    /// What is wrong with `value` as `provider`'s credential or webhook secret `name`.
    package static func credentialProblem(_ provider: Provider, _ name: String, _ value: String) -> String? {
        if let problem = placeholderProblem(value) { return problem }
        if let problem = provider.inbound.webhook.part?.secretProblem(name, value) { return problem }
        if let problem = provider.api.socketMode.part?.settingProblem(name, value) { return problem }
        return characterProblem(value)
    }

    /// What is wrong with `value` as a bearer token (`dashboard.token`, `intake.token`).
    package static func tokenProblem(_ value: String) -> String? {
        if let problem = placeholderProblem(value) ?? characterProblem(value) { return problem }
        guard value.count >= minimumTokenLength else {
            return "must be at least \(minimumTokenLength) characters long (for instance `openssl rand -hex 32`)"
        }
        return nil
    }

    /// What is wrong with `value` as a Telegram bot's username (5 to 32 letters, digits and underscores).
    package static func botUsernameProblem(_ value: String) -> String? {
        let allowed = value.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
        return allowed && (5...32).contains(value.utf8.count)
            ? nil : "must be a Telegram bot username: 5 to 32 letters, digits and underscores, without @"
    }

    /// What is wrong with `value` as a JSON Web Key Set URL: keys that sign users in come over TLS, or from
    /// this machine.
    package static func keySetURLProblem(_ value: String) -> String? {
        if let problem = urlProblem(value) { return problem }
        guard let url = URLComponents(string: value), let host = url.host else { return nil }
        return url.scheme?.lowercased() == "https" || isLoopback(host)
            ? nil : "must be an https:// URL (http:// only to this machine): anyone on the way could swap the keys"
    }

    /// Whether `host` is this machine: `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`.
    private static func isLoopback(_ host: String) -> Bool {
        let address = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { $0.prefix(15).allSatisfy { $0 == 0 } && $0[15] == 1 }
        }
        return address.lowercased() == "localhost"
    }

    /// What is wrong with `value` as the address of an HTTP service (an agent, a provider's API, a link page).
    package static func urlProblem(_ value: String) -> String? {
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            return "must be an http:// or https:// URL with a host"
        }
        return nil
    }

    /// What no secret may be: empty, or the example file's placeholder.
    private static func placeholderProblem(_ value: String) -> String? {
        if value.isEmpty { return "is empty" }
        if isPlaceholder(value) {
            return "is still the example's placeholder (replace-me): put the real value there"
        }
        return nil
    }

    /// What no secret holds: white space or control characters, which a copy and paste brings along.
    private static func characterProblem(_ value: String) -> String? {
        let broken = value.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }
        return broken ? "must not contain spaces or control characters" : nil
    }

    /// Whether `value` is one of the placeholders `ops/switchboard.example.json` ships with.
    private static func isPlaceholder(_ value: String) -> Bool {
        let lowered = value.lowercased()
        return ["replace-me", "replace_me", "replaceme"].contains(where: lowered.contains)
    }
}
