import Foundation
import Queue
import Synchronization
import Workers

/// The dead letters a redrive or purge names: ids, or one of its selection flags.
func deadLetterSelection(_ arguments: Arguments, flags: [String: (Arguments) throws -> DeadLetterSelection?])
    throws -> DeadLetterSelection
{
    let ids = try arguments.ids()
    var chosen: [DeadLetterSelection] = ids.isEmpty ? [] : [.ids(ids)]
    for (_, read) in flags.sorted(by: { $0.key < $1.key }) {
        if let selection = try read(arguments) { chosen.append(selection) }
    }
    guard chosen.count == 1 else {
        let names = flags.keys.sorted().map { "--\($0)" }.joined(separator: ", ")
        throw CommandFailure.usage("name the dead letters with ids or exactly one of \(names)")
    }
    return chosen[0]
}
