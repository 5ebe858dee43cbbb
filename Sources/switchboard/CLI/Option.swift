import Foundation

/// An option that takes a value, declared once: its spec drives the parser, the synopsis and the help,
/// and `convert` turns its text into a checked value, refusing bad text with a usage error naming it.
/// A command reads it as `try arguments.value(Self.limit)`: a misspelt key does not compile.
struct Option<Value>: Sendable {
    let spec: OptionSpec
    let convert: @Sendable (String) throws -> Value

    /// The same option, marked required in the synopsis; read it with `arguments.required`.
    var required: Option {
        var spec = spec
        spec.required = true
        return Option(spec: spec, convert: convert)
    }
}

extension Option {
    fileprivate static func usage(_ name: String, _ problem: String, _ text: String) -> CommandFailure {
        CommandFailure.usage("--\(name) \(problem), got \"\(text.prefix(64))\"")
    }
}

extension Option<String> {
    /// Any text but the empty one.
    static func text(_ name: String, _ placeholder: String, _ help: String) -> Option {
        Option(spec: OptionSpec(name: name, value: placeholder, help: help)) { text in
            guard !text.isEmpty else { throw CommandFailure.usage("--\(name) must not be empty") }
            return text
        }
    }
}

extension Option<Int> {
    /// A whole number within `bound`.
    static func integer(_ name: String, _ placeholder: String, _ bound: NumberBound, _ help: String) -> Option {
        Option(spec: OptionSpec(name: name, value: placeholder, help: help)) { text in
            guard let number = Double(text).flatMap(bound.integer) else {
                throw usage(name, "must be \(bound.expectation)", text)
            }
            return number
        }
    }
}

extension Option<Duration> {
    /// A duration within `bound`: seconds (`90`, `0.5`) or with a unit (`500ms`, `30s`, `15m`, `12h`, `7d`).
    static func duration(_ name: String, _ placeholder: String, _ bound: NumberBound, _ help: String) -> Option {
        Option(spec: OptionSpec(name: name, value: placeholder, help: help)) { text in
            guard let duration = DurationText.seconds(text).flatMap({ bound.duration(seconds: $0) }) else {
                throw usage(name, "must be \(bound.expectation), such as 30, 1.5, 500ms, 15m, 12h or 7d", text)
            }
            return duration
        }
    }
}

extension Option<Duration> {
    /// A duration that decides what is deleted (`dlq purge --older-than`, `--retain-completed`), within
    /// `bound`: it must carry its unit, since a bare `7` reads as seven seconds where seven days may have
    /// been meant, and nothing brings back what it deleted.
    static func durationWithUnit(_ name: String, _ placeholder: String, _ bound: NumberBound, _ help: String)
        -> Option
    {
        let plain = duration(name, placeholder, bound, help)
        return Option(spec: plain.spec) { text in
            guard DurationText.hasUnit(text) else {
                throw usage(name, "needs a unit (s, m, h or d), such as 45s, 30m, 12h or 7d", text)
            }
            return try plain.convert(text)
        }
    }
}

extension Option<[String]> {
    /// A comma-separated list of names, at least one.
    static func list(_ name: String, _ placeholder: String, _ help: String) -> Option {
        Option(spec: OptionSpec(name: name, value: placeholder, help: help)) { text in
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            guard !items.isEmpty else { throw CommandFailure.usage("--\(name) needs at least one name") }
            return items
        }
    }
}

extension Option where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of a fixed set of values, named by their raw text; the placeholder lists them.
    static func choice(_ name: String, _ help: String) -> Option {
        let names = Value.allCases.map(\.rawValue)
        return Option(spec: OptionSpec(name: name, value: names.joined(separator: "|"), help: help)) { text in
            guard let choice = Value(rawValue: text) else {
                throw usage(name, "must be one of \(names.joined(separator: ", "))", text)
            }
            return choice
        }
    }
}

/// An option that takes no value.
struct Flag: Sendable {
    let spec: OptionSpec

    init(_ name: String, _ help: String) {
        spec = OptionSpec(name: name, value: nil, help: help)
    }
}
