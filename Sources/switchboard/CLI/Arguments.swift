import Foundation

/// A command line split into options and positional arguments, checked against the command's options.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []
    let commandName: String

    /// - Throws: `CommandFailure.usage` naming an unknown option or one missing its value.
    init(_ words: [String], options: [OptionSpec], commandName: String) throws {
        self.commandName = commandName
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            guard !optionsEnded, word.hasPrefix("-"), word != "-" else {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let body = word == "-h" ? "help" : String(word.drop { $0 == "-" })
            let (name, inline) = body.split(separator: "=", maxSplits: 1).map(String.init).splitPair
            guard let spec = byName[name] else {
                throw CommandFailure.usage("unknown option \(word) for `switchboard \(commandName)` (see --help)")
            }
            if spec.value == nil {
                if inline != nil {
                    throw CommandFailure.usage("--\(name) takes no value")
                }
                flags.insert(name)
            } else if let inline {
                values[name] = inline
            } else if index < words.count {
                values[name] = words[index]
                index += 1
            } else {
                throw CommandFailure.usage("--\(name) needs a value: --\(name) \(spec.value!)")
            }
        }
    }

    func string(_ name: String) -> String? {
        values[name]
    }

    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The option as a whole number within `bound`.
    func integer(_ name: String, _ bound: NumberBound) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Double(text).flatMap(bound.integer) else {
            throw CommandFailure.usage("--\(name) must be \(bound.expectation), got \"\(text.prefix(64))\"")
        }
        return number
    }

    /// The option as a duration within `bound`: seconds (`90`, `0.5`) or with a unit (`500ms`, `30s`,
    /// `15m`, `12h`, `7d`).
    func duration(_ name: String, _ bound: NumberBound) throws -> Duration? {
        guard let text = values[name] else { return nil }
        guard let duration = DurationText.seconds(text).flatMap({ bound.duration(seconds: $0) }) else {
            throw CommandFailure.usage(
                "--\(name) must be \(bound.expectation), such as 30, 1.5, 500ms, 15m, 12h or 7d; got \"\(text.prefix(64))\""
            )
        }
        return duration
    }

    /// Positional arguments as job ids.
    func ids() throws -> [Int64] {
        try positionals.map { word in
            guard let id = Int64(word), id > 0 else {
                throw CommandFailure.usage("\"\(word)\" is not a job id (a positive whole number)")
            }
            return id
        }
    }

    /// The one positional argument, as a job id.
    func singleID() throws -> Int64 {
        let ids = try ids()
        guard ids.count == 1 else { throw CommandFailure.usage("give exactly one job id") }
        return ids[0]
    }

    /// Fails when positional arguments were given to a command that takes none.
    func expectNoPositionals() throws {
        if let first = positionals.first {
            throw CommandFailure.usage("unexpected argument \"\(first)\" for `switchboard \(commandName)`")
        }
    }
}
extension Array where Element == String {
    /// `[a, b]` as `(a, b)`, `[a]` as `(a, nil)`.
    fileprivate var splitPair: (String, String?) {
        (first ?? "", count > 1 ? self[1] : nil)
    }
}
