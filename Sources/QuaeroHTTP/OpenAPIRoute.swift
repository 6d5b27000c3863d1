import Quaero
import Hummingbird
import HTTPTypes
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 document of the API (Sources/QuaeroHTTP/openapi.json, compiled in).
public enum OpenAPIRoute {
    /// The document's bytes.
    public static var document: [UInt8] { PackageResources.openapi_json }

    static func add(to router: Router<BasicRequestContext>) {
        router.get("/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
