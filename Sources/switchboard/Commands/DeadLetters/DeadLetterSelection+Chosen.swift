import Foundation
import Queue

extension DeadLetterSelection {
    /// The dead letters a redrive or purge names: the ids given, or exactly one of the selecting
    /// options (each paired with what it selects, nil when it was not given).
    static func chosen(ids: [Int64], or options: [(spec: OptionSpec, selection: DeadLetterSelection?)]) throws
        -> DeadLetterSelection
    {
        let chosen = (ids.isEmpty ? [] : [.ids(ids)]) + options.compactMap(\.selection)
        guard chosen.count == 1 else {
            let names = options.map { "--\($0.spec.name)" }.joined(separator: ", ")
            throw CommandFailure.usage("name the dead letters with ids or exactly one of \(names)")
        }
        return chosen[0]
    }
}
