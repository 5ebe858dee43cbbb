import Foundation
import switchboard

let exitCode = await CommandLineTool.main(Array(CommandLine.arguments.dropFirst()))
exit(exitCode.rawValue)
