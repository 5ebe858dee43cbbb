import Foundation

/// A command line split into options and positional arguments, checked against the command's options.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []
    let commandName: String
    /// The names of the options the command declares.
    private let declared: Set<String>

    /// - Throws: `CommandFailure.usage` naming an unknown option or one missing its value.
    init(_ words: [String], options: [OptionSpec], commandName: String) throws {
        self.commandName = commandName
        declared = Set(options.map(\.name))
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

    /// The option's value, converted and checked; nil when it was not given.
    /// - Throws: `CommandFailure.usage` naming the option when its text is refused.
    func value<Value>(_ option: Option<Value>) throws -> Value? {
        try checkDeclared(option.spec)
        return try values[option.spec.name].map(option.convert)
    }

    /// The option's value; a usage error when it was not given.
    func required<Value>(_ option: Option<Value>) throws -> Value {
        guard let value = try value(option) else { throw CommandFailure.usage("--\(option.spec.name) is required") }
        return value
    }

    func isSet(_ flag: Flag) throws -> Bool {
        try checkDeclared(flag.spec)
        return flags.contains(flag.spec.name)
    }

    /// An option read by a command but not declared in its `options` could never be given: a bug.
    private func checkDeclared(_ spec: OptionSpec) throws {
        guard declared.contains(spec.name) else {
            throw CommandFailure(
                exitCode: .software, message: "--\(spec.name) is read but not declared by `\(commandName)`")
        }
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
