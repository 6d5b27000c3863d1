import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// JSON responses of the HTTP API.
enum APIResponse {
    /// `value` as compact JSON (APIJSON's conventions) with `status`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try APIJSON.encode(value, pretty: false)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
