/// A file name a provider gave, made safe to show and to save under: its last path component, without
/// control or invisible formatting characters, without leading dots, at most 255 bytes of UTF-8.
struct SafeFileName: Equatable {
    let name: String

    /// Nil when nothing usable is left.
    init?(_ given: String?) {
        guard let given else { return nil }
        let lastComponent = given.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var kept = String.UnicodeScalarView()
        for scalar in lastComponent.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                continue
            default:
                kept.append(scalar)
            }
        }
        var name = String(kept).trimmingPrefix { $0 == "." || $0 == " " }
        while name.utf8.count > 255 {
            name.removeLast()
        }
        guard !name.isEmpty else { return nil }
        self.name = String(name)
    }
}
