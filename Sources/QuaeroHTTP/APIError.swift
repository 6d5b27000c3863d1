import Quaero
import Foundation
public import Hummingbird
public import HTTPTypes
import NIOCore
import QuaeroQueue

/// An HTTP API error: a status and the body `{"error": {"code", "message"}}`.
public struct APIError: Error, Sendable, HTTPResponseError {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A stable, machine-readable code such as `not_found` or `invalid_config`.
    public let code: String
    /// One sentence saying what is wrong.
    public let message: String
    /// Headers the answer carries besides the JSON ones (`Allow` on a 405, `Retry-After` on a 503).
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIResponse.json(Body(error: .init(code: code, message: message)), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The body `{"error": {"code", "message"}}`, for answers written below Hummingbird's router.
    var jsonBody: ByteBuffer {
        ByteBuffer(bytes: (try? APIJSON.encode(Body(error: .init(code: code, message: message)), pretty: false)) ?? Data())
    }

    private struct Body: Encodable {
        struct Detail: Encodable { let code, message: String }
        let error: Detail
    }

    /// The API form of any error a route or the router throws; unknown errors are a 500 that hides details.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as JobConfigError:
            return APIError(.unprocessableContent, code: "invalid_config", error.message)
        case let error as UnrecoverableJobError:
            return APIError(.unprocessableContent, code: "invalid_config", error.reason)
        case let error as QuaeroError:
            return from(error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large",
                            "the request body is larger than \(APIRoutes.maxBodyBytes) bytes")
        case let error as HTTPError:
            return APIError(error.status, code: code(for: error.status), error.body ?? error.status.reasonPhrase.lowercased())
        case let error as any HTTPResponseError:
            return APIError(error.status, code: code(for: error.status), error.status.reasonPhrase.lowercased())
        default:
            return APIError(.internalServerError, code: "internal", "internal error; see the server log")
        }
    }

    private static func from(_ error: QuaeroError) -> APIError {
        let status: HTTPResponse.Status = switch error.code {
        case .notFound: .notFound
        case .invalidArgument: .badRequest
        case .conflict, .leaseLost: .conflict
        case .queueFull: .tooManyRequests
        case .databaseBusy, .closed, .unavailable: .serviceUnavailable
        default: .internalServerError
        }
        // A full queue drains as workers go on: the client may try again shortly.
        let headers: HTTPFields = error.code == .queueFull ? [.retryAfter: "1"] : [:]
        return APIError(status, code: error.code.description, error.message, headers: headers)
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .unauthorized: "unauthorized"
        case .badRequest: "bad_request"
        default: "http_\(status.code)"
        }
    }
}
