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
        var name = String(String(kept).trimmingPrefix { $0 == "." || $0 == " " })
        if name.utf8.count > 255 {
            // Cut the stem, not the extension (up to 16 characters) that says what the file is.
            let dot = name.lastIndex(of: ".").flatMap { name.distance(from: $0, to: name.endIndex) <= 16 ? $0 : nil }
            let ext = dot.map { String(name[$0...]) } ?? ""
            var stem = dot.map { String(name[..<$0]) } ?? name
            while stem.utf8.count + ext.utf8.count > 255 {
                stem.removeLast()
            }
            name = stem + ext
        }
        guard !name.isEmpty else { return nil }
        self.name = String(name)
    }
}
