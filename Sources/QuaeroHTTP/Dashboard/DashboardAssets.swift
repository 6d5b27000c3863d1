import Hummingbird
import HTTPTypes
import NIOCore

/// The dashboard's stylesheet, script and icon, compiled into the binary (`embedInCode`): nothing to install,
/// no CDN, and the dashboard works offline. Each is served under a name that carries a hash of its bytes, so
/// browsers may keep it for a year and still never use an old one.
enum DashboardAssets {
    struct Asset: Sendable {
        let name: String
        let contentType: String
        let bytes: [UInt8]

        /// The path the pages link to: the name and a hash of the bytes.
        var path: String { "/ui/assets/\(name)?v=\(DashboardAssets.hash(bytes))" }
    }

    static let css = Asset(name: "dashboard.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.dashboard_css)
    static let js = Asset(name: "dashboard.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.dashboard_js)
    static let icon = Asset(name: "icon.svg", contentType: "image/svg+xml", bytes: PackageResources.icon_svg)
    static let all = [css, js, icon]

    /// Every asset's size in bytes: the dashboard stays under 100 KB (a test checks).
    static var totalBytes: Int { all.reduce(0) { $0 + $1.bytes.count } }

    static func add(to group: RouterGroup<some RequestContext>) {
        group.get("/assets/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let asset = all.first(where: { $0.name == name }) else {
                throw DashboardError.notFound("there is no dashboard asset with that name")
            }
            var headers = HTTPFields()
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
    }

    /// FNV-1a of `bytes`, in hex: a cache key, not a security measure.
    static func hash(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
