import Enqueuer
import Foundation
import JSON
import Queue
import Workers

extension FuzzTarget {
    /// The JSON parser; what it reads must be written back as JSON it reads as the same value.
    static let json = FuzzTarget(
        name: "json",
        summary: "any bytes, parsed as JSON"
    ) { data throws(FuzzFailure) in
        guard let value = try? JSONParser.parse(data) else { return }
        let written = value.serialized
        let reread: JSONValue
        do {
            reread = try JSONParser.parse(written)
        } catch {
            throw FuzzFailure(
                "the writer wrote JSON its parser refuses (\(error)): \(String(decoding: written, as: UTF8.self))")
        }
        try FuzzFailure.check(
            reread == value,
            "\(value) was written as \(String(decoding: written, as: UTF8.self)), read back as \(reread)")
    }

    /// The event-stream decoder of agents' streamed answers, fed the stream whole, a byte at a time and in
    /// pieces of lengths the first byte chooses: each way must give the same events.
    static let eventStream = FuzzTarget(
        name: "event-stream",
        summary: "a text/event-stream body (the first byte chooses where it is cut)"
    ) { data throws(FuzzFailure) in
        guard let seed = data.first else { return }
        let stream = Data(data.dropFirst())
        var whole = EventStreamDecoder()
        let expected = whole.feed(stream)
        var byByte = EventStreamDecoder()
        let bytewise = stream.flatMap { byByte.feed(Data([$0])) }
        try FuzzFailure.check(bytewise == expected, "a byte at a time gave \(bytewise), whole \(expected)")
        var inPieces = EventStreamDecoder()
        var pieces: [String] = []
        var start = stream.startIndex
        var length = Int(seed % 13) + 1
        while start < stream.endIndex {
            let end = min(start + length, stream.endIndex)
            pieces += inPieces.feed(stream[start..<end])
            start = end
            length = (length * 7 + Int(seed)) % 17 + 1
        }
        try FuzzFailure.check(pieces == expected, "in pieces gave \(pieces), whole \(expected)")
    }

    /// A cron expression (the first line) in a time zone (the second line, UTC when there is none), and its
    /// next ticks from the fuzz time: each is later than the one before.
    static let cron = FuzzTarget(
        name: "cron",
        summary: "a cron expression, then a time zone on the next line"
    ) { data throws(FuzzFailure) in
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let expression = try? CronExpression(String(lines[0])) else { return }
        let zone = lines.count > 1 ? TimeZone(identifier: String(lines[1])) : TimeZone(identifier: "UTC")
        guard let zone else { return }
        var after = FuzzSecrets.now
        for _ in 0..<3 {
            guard let tick = expression.nextTick(after: after, in: zone) else { return }
            try FuzzFailure.check(tick > after, "\(expression) in \(zone.identifier): \(tick) is not after \(after)")
            after = tick
        }
    }

    /// The worker configuration file, read as `work --config` and `serve --config` read it, then the
    /// webhook checks' view of its secrets.
    static let configuration = FuzzTarget(
        name: "configuration",
        summary: "a configuration file"
    ) { data in
        let file: String
        do {
            file = try Scratch.folder().appendingPathComponent("configuration.json").path
            try data.write(to: URL(fileURLWithPath: file))
        } catch {
            fatalError("cannot write the fuzz configuration file: \(error)")
        }
        guard let configuration = try? ChatConfiguration.load(file: file, environment: [:]) else { return }
        _ = WebhookGate(secrets: configuration.providers.mapValues(\.credentials))
        _ = configuration.redactor.redact(String(decoding: data, as: UTF8.self))
        for provider in Provider.allCases {
            _ = configuration.settings(for: provider)
        }
    }
}
