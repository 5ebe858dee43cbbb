import Foundation
import FuzzTargets

/// The target `FUZZ_TARGET` names, found when libFuzzer starts, before the first input.
nonisolated(unsafe) private var target: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    if name == "list" {
        for target in FuzzTarget.all {
            print(target.name.padding(toLength: 22, withPad: " ", startingAt: 0) + target.summary)
        }
        exit(0)
    }
    guard let found = FuzzTarget.named(name) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("FUZZ_TARGET must name a target (or be list): \(names)\n".utf8))
        exit(64)
    }
    target = found
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        try target!.run(data)
    } catch {
        fatalError("\(target!.name): \(error)")
    }
    return 0
}
