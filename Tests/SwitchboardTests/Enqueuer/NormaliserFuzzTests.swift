import Enqueuer
import Foundation
import JSON
import Queue
import Testing

/// A small deterministic generator (SplitMix64), so a corpus that finds a crash finds it again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Normalisers under hostile bytes")
struct NormaliserFuzzTests {
    /// Thousands of inputs for one provider: random bytes, every truncation of every fixture, fixtures with
    /// bytes flipped, random JSON built from the fixtures' own keys, and pathological nesting.
    static func corpus(for provider: Provider) throws -> [Data] {
        var random = SeededGenerator(seed: 0x5357_4244 &+ UInt64(Provider.allCases.firstIndex(of: provider)!))
        let fixtures = try Fixture.all(provider).map(\.data)
        var inputs: [Data] = []
        for _ in 0..<900 {
            inputs.append(
                Data(
                    (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                ))
        }
        for fixture in fixtures {
            for length in stride(from: 0, to: fixture.count, by: max(1, fixture.count / 150)) {
                inputs.append(fixture.prefix(length))
            }
        }
        for _ in 0..<900 {
            var mutated = fixtures.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            inputs.append(mutated)
        }
        let keys = Array(
            Set(
                fixtures.flatMap {
                    String(decoding: $0, as: UTF8.self).matches(of: /"([a-z_A-Z]+)":/).map { String($0.1) }
                }))
        for _ in 0..<900 {
            inputs.append(randomJSON(depth: 5, keys: keys, using: &random).serialized)
        }
        inputs.append(Data(repeating: UInt8(ascii: "["), count: 100_000))
        inputs.append(Data(("{\"a\":" + String(repeating: "{\"a\":", count: 50_000)).utf8))
        inputs.append(Data("\"\\ud800\"".utf8))
        inputs.append(Data("{\"update_id\": 1e999}".utf8))
        return inputs
    }

    private static func randomJSON(depth: Int, keys: [String], using random: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 0 ? 8 : 5), using: &random)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int64.random(in: -5...Int64.max, using: &random))
        case 3:
            return .string(
                ["", "2.0", "text", "1", "message", "event_callback", "MESSAGE_CREATE", "/connect x"]
                    .randomElement(using: &random)!)
        case 4: return .double(Double.random(in: -1e6...1e6, using: &random))
        case 5:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    randomJSON(depth: depth - 1, keys: keys, using: &random)
                })
        default:
            return .object(
                JSONObject(
                    (0..<Int.random(in: 0...8, using: &random)).map { _ in
                        JSONObject.Member(
                            key: keys.randomElement(using: &random) ?? "x",
                            value: randomJSON(depth: depth - 1, keys: keys, using: &random)
                        )
                    }))
        }
    }

    @Test(
        "any bytes end in a message, an ignore, a verification or a rejection: never a crash",
        arguments: Provider.allCases)
    func neverCrashes(provider: Provider) throws {
        let corpus = try Self.corpus(for: provider)
        #expect(corpus.count >= 3_000)
        var outcomes = (messages: 0, ignored: 0, rejected: 0)
        for input in corpus {
            do {
                switch try Fixture(provider, body: input).normalised() {
                case .message: outcomes.messages += 1
                case .ignored, .verification: outcomes.ignored += 1
                }
            } catch {
                outcomes.rejected += 1
                #expect(error.description.hasPrefix("\(provider.rawValue): "))
            }
        }
        #expect(outcomes.messages + outcomes.ignored + outcomes.rejected == corpus.count)
        #expect(outcomes.rejected > 0)
    }
}
