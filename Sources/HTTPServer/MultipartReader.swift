import CMicroHTTPD
import Foundation

/// One part of a `multipart/form-data` request body.
package struct ReceivedFormPart: Sendable, Equatable {
    package var name: String
    /// The file name its `Content-Disposition` gave; nil for a plain field.
    package var fileName: String?
    package var contentType: String?
    package var data: Data
}

/// libmicrohttpd's post processor (`MHD_PostProcessor*`) reading one request's `multipart/form-data` body
/// as it arrives, part by part. Destroyed when the body ends (`finish`) or with the request.
///
/// Not thread-safe: only the libmicrohttpd thread that reads the request's body touches it.
final class MultipartReader {
    private var processor: OpaquePointer?
    private let sink: Sink

    /// The parts read so far, and whether the body broke the format.
    private final class Sink {
        var parts: [ReceivedFormPart] = []
        var malformed = false
    }

    /// A reader for the body of the request on `connection`; nil when libmicrohttpd cannot read its
    /// content type as a form.
    init?(connection: OpaquePointer) {
        let sink = Sink()
        guard
            let processor = MHD_create_post_processor(
                connection, 64 << 10, MultipartReader.iterate, Unmanaged.passUnretained(sink).toOpaque())
        else { return nil }
        self.processor = processor
        self.sink = sink
    }

    deinit {
        if let processor { MHD_destroy_post_processor(processor) }
    }

    /// Reads the next `count` bytes of the body.
    func feed(_ bytes: UnsafePointer<CChar>, count: Int) {
        guard let processor, !sink.malformed else { return }
        if MHD_post_process(processor, bytes, count) == MHD_Result.NO {
            sink.malformed = true
        }
    }

    /// The parts of the whole body, in order; nil when it was not a well-formed form.
    func finish() -> [ReceivedFormPart]? {
        if let processor {
            // Destroying it hands over what it still buffered, and says whether the body ended cleanly.
            if MHD_destroy_post_processor(processor) == MHD_Result.NO { sink.malformed = true }
            self.processor = nil
        }
        return sink.malformed ? nil : sink.parts
    }

    /// A part's bytes as they come: a new part starts at offset 0, later pieces continue it.
    private static let iterate: MHD_PostDataIterator = {
        context, _, key, fileName, contentType, _, data, offset, size in
        guard let context else { return MHD_Result.NO }
        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
        let piece = data.map { Data(bytes: $0, count: size) } ?? Data()
        if offset == 0 || sink.parts.isEmpty {
            sink.parts.append(
                ReceivedFormPart(
                    name: key.map { String(cString: $0) } ?? "", fileName: fileName.map { String(cString: $0) },
                    contentType: contentType.map { String(cString: $0) }, data: piece))
        } else {
            sink.parts[sink.parts.count - 1].data.append(piece)
        }
        return MHD_Result.YES
    }
}

@available(*, unavailable)
extension MultipartReader: Sendable {}
