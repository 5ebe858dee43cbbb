import CFeishuFrame
import Foundation

/// A frame of Feishu's long connection (`pbbp2.Frame`, protobuf), encoded and decoded by protobuf-c from
/// the code `protoc-c` generated from `Sources/CFeishuFrame/pbbp2.proto`.
package struct FeishuFrame: Sendable, Equatable {
    /// A control frame (ping, pong) or a data frame (an event, a card).
    package enum Method: Int32, Sendable {
        case control = 0
        case data = 1
    }

    package struct Header: Sendable, Equatable {
        package var key: String
        package var value: String

        package init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    package var sequenceID: UInt64
    package var logID: UInt64
    package var service: Int32
    /// The frame's method as sent; `Method` names the two Feishu defines.
    package var method: Int32
    package var headers: [Header]
    package var payload: Data?
    package var payloadEncoding: String?
    package var payloadType: String?
    package var logIDNew: String?

    package init(
        sequenceID: UInt64 = 0, logID: UInt64 = 0, service: Int32, method: Method, headers: [Header],
        payload: Data? = nil
    ) {
        self.sequenceID = sequenceID
        self.logID = logID
        self.service = service
        self.method = method.rawValue
        self.headers = headers
        self.payload = payload
    }

    /// The value of the first header named `key`.
    package func header(_ key: String) -> String? {
        headers.first { $0.key == key }?.value
    }

    /// Decodes a frame.
    /// - Throws: `FeishuFrameError` when the bytes are not a well-formed frame (protobuf-c refuses them).
    package init(decoding bytes: Data) throws(FeishuFrameError) {
        let unpacked = bytes.withUnsafeBytes { raw in
            pbbp2__frame__unpack(nil, raw.count, raw.bindMemory(to: UInt8.self).baseAddress)
        }
        guard let unpacked else { throw FeishuFrameError(byteCount: bytes.count) }
        defer { pbbp2__frame__free_unpacked(unpacked, nil) }
        let frame = unpacked.pointee
        sequenceID = frame.seqid
        logID = frame.logid
        service = frame.service
        method = frame.method
        headers = (0..<frame.n_headers).compactMap { index in
            guard let header = frame.headers[index]?.pointee, let key = header.key, let value = header.value else {
                return nil
            }
            return Header(String(cString: key), String(cString: value))
        }
        // An empty payload has no bytes to point at: protobuf-c leaves its pointer null.
        let bytes: UnsafeMutablePointer<UInt8>? = frame.payload.data
        payload = frame.has_payload != 0 ? bytes.map { Data(bytes: $0, count: frame.payload.len) } ?? Data() : nil
        payloadEncoding = frame.payload_encoding.map { String(cString: $0) }
        payloadType = frame.payload_type.map { String(cString: $0) }
        logIDNew = frame.logidnew.map { String(cString: $0) }
    }

    /// The frame's protobuf encoding.
    package func encoded() -> Data {
        var strings: [UnsafeMutablePointer<CChar>] = []
        func copy(_ text: String) -> UnsafeMutablePointer<CChar> {
            let copied = strdup(text)!
            strings.append(copied)
            return copied
        }
        let headerStructs = UnsafeMutablePointer<Pbbp2__Header>.allocate(capacity: max(headers.count, 1))
        let headerPointers = UnsafeMutablePointer<UnsafeMutablePointer<Pbbp2__Header>?>.allocate(
            capacity: max(headers.count, 1))
        defer {
            strings.forEach { free($0) }
            headerStructs.deallocate()
            headerPointers.deallocate()
        }
        for (index, header) in headers.enumerated() {
            pbbp2__header__init(headerStructs + index)
            headerStructs[index].key = copy(header.key)
            headerStructs[index].value = copy(header.value)
            headerPointers[index] = headerStructs + index
        }
        var frame = Pbbp2__Frame()
        pbbp2__frame__init(&frame)
        frame.seqid = sequenceID
        frame.logid = logID
        frame.service = service
        frame.method = method
        frame.n_headers = headers.count
        frame.headers = headerPointers
        frame.payload_encoding = payloadEncoding.map(copy)
        frame.payload_type = payloadType.map(copy)
        frame.logidnew = logIDNew.map(copy)
        let payloadBytes = [UInt8](payload ?? Data())
        return payloadBytes.withUnsafeBufferPointer { payloadBuffer in
            if payload != nil {
                frame.has_payload = 1
                frame.payload = ProtobufCBinaryData(
                    len: payloadBuffer.count, data: UnsafeMutablePointer(mutating: payloadBuffer.baseAddress))
            }
            var encoded = Data(count: pbbp2__frame__get_packed_size(&frame))
            encoded.withUnsafeMutableBytes { raw in
                _ = pbbp2__frame__pack(&frame, raw.bindMemory(to: UInt8.self).baseAddress)
            }
            return encoded
        }
    }
}

/// Bytes that are not a Feishu frame.
package struct FeishuFrameError: Error, Sendable, CustomStringConvertible {
    package var byteCount: Int

    package var description: String { "a \(byteCount)-byte binary message is not a Feishu frame" }
}
