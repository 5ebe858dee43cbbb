import Foundation

/// One option a command accepts.
struct OptionSpec {
    /// The long name, without the leading dashes.
    let name: String
    /// The placeholder for its value, or nil for a switch that takes none.
    let value: String?
    let help: String

    static func value(_ name: String, _ placeholder: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: placeholder, help: help)
    }

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: nil, help: help)
    }
}
