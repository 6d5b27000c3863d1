@testable import QuaeroHTTP
import NIOCore
import NIOPosix

/// Sends raw bytes to 127.0.0.1:`port` and returns what comes back until the server closes, or until one
/// response with a Content-Length is complete. For requests an HTTP client would not send as they are (a
/// request line past the server's limit), where the server answers before it has read everything.
func rawHTTPExchange(port: Int, _ request: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try? await outbound.write(ByteBuffer(string: request))  // the server may stop reading before the end
        var received = ""
        for try await chunk in inbound {
            received += String(buffer: chunk)
            if let complete = completeLength(received), received.utf8.count >= complete { break }
        }
        return received
    }
}

/// The length of a response with `Content-Length` once its head is in, nil before that.
private func completeLength(_ text: String) -> Int? {
    guard let end = text.range(of: "\r\n\r\n") else { return nil }
    let head = text[..<end.lowerBound].lowercased()
    guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
          let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return nil }
    return text[..<end.upperBound].utf8.count + length
}
