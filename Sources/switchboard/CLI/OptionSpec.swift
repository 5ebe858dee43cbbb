import Foundation

/// What the parser and the help know of an option: its name, the placeholder of its value (nil for a
/// flag), whether it is required, and its help line. Commands declare options as typed keys (`Option`,
/// `Flag`), whose spec this is.
struct OptionSpec: Sendable {
    /// The long name, without the leading dashes.
    let name: String
    /// The placeholder for its value, or nil for a switch that takes none.
    let value: String?
    let help: String
    var required = false

    /// How the synopsis shows it: `--queue Q`, `[--limit N]`, `[--drain]`.
    var synopsis: String {
        let text = "--\(name)" + (value.map { " \($0)" } ?? "")
        return required ? text : "[\(text)]"
    }
}
