import Quaero
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that the HTTP parser rejects (a URL or headers past its 80 KiB limit, a malformed
/// request line) with the API's JSON error. Without it Hummingbird answers those with a 400 and an empty
/// body, before any middleware of ours runs. It sits right after the parser in each connection's pipeline.
final class HTTPParseErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A response has begun and not ended: another one cannot be written in its middle.
    private var responding = false
    /// The error answer is out: what the client still sends is read and dropped until it closes or
    /// `lingerTime` passes, since closing with unread input would reset the connection and could destroy
    /// the answer before the client reads it (the client is likely still sending its long URL).
    private var lingering = false
    static let lingerTime: TimeAmount = .seconds(2)

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if lingering, error is ByteToMessageDecoderError { return }  // input after the parser gave up: dropped
        guard let parseError = error as? HTTPParserError, !responding else {
            return context.fireErrorCaught(error)
        }
        let apiError = Self.apiError(for: parseError)
        let body = apiError.jsonBody
        let head = HTTPResponse(status: apiError.status, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: "\(body.readableBytes)", .connection: "close",
        ])
        lingering = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        // The parser cannot go on after an error, and the error is not passed on, so Hummingbird does not
        // write its own empty 400 after ours. The channel closes when the client, told `Connection: close`,
        // does, or after the linger time.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.lingerTime) { bound.value.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational: responding = true
        case .end: responding = false
        default: break
        }
        context.write(data, promise: promise)
    }

    /// The status and message for a parser error.
    static func apiError(for error: HTTPParserError) -> APIError {
        switch error {
        case .headerOverflow:
            APIError(.badRequest, code: "request_too_large",
                     "the request's URL and headers are longer than the server reads (80 KiB); a path parameter or header is far too long")
        case .invalidMethod:
            // The parser knows the registered methods only; an unknown token never reaches the router's 405.
            APIError(.notImplemented, code: "method_not_implemented",
                     "the request's method is not one this server knows; the API answers GET, HEAD, POST and DELETE")
        default:
            APIError(.badRequest, code: "malformed_request", "the request is not valid HTTP/1.1 (\(error))")
        }
    }
}
