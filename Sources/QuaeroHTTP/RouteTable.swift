import Quaero
import Hummingbird
import HTTPTypes
import Synchronization

/// The methods each path of the router answers, so that a known path called with another method gets 405
/// with `Allow` instead of the router's 404. Filled from `Router.routes` once every route is added.
final class RouteTable: Sendable {
    private struct Route {
        /// The path's segments; a parameter (`{name}`) matches any one segment.
        let segments: [Substring]
        var methods: Set<HTTPRequest.Method>
    }
    private let routes = Mutex<[Route]>([])

    /// Records every route of `router`; a GET route also answers HEAD (the router generates it).
    func load(_ router: Router<some RequestContext>) {
        var table: [Route] = []
        for route in router.routes {
            let segments = "\(route.path)".split(separator: "/")
            let methods: Set<HTTPRequest.Method> = route.method == .get ? [.get, .head] : [route.method]
            if let index = table.firstIndex(where: { $0.segments == segments }) {
                table[index].methods.formUnion(methods)
            } else {
                table.append(Route(segments: segments, methods: methods))
            }
        }
        routes.withLock { $0 = table }
    }

    /// The methods `path` answers, in a fixed order, or nil when no route has that path.
    ///
    /// Where a constant segment and a parameter both match (`/api/jobs/claim` and `/api/jobs/{id}`), the
    /// router takes the constant, as its trie does: only the routes most specific from the left count.
    func methods(of path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        let methods = routes.withLock { routes in
            let matching = routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }
            let shapes = matching.map { $0.segments.map { $0.hasPrefix("{") ? 1 : 0 } }
            guard let best = shapes.min(by: { $0.lexicographicallyPrecedes($1) }) else { return Set<HTTPRequest.Method>() }
            return zip(matching, shapes).filter { $0.1 == best }
                .reduce(into: Set<HTTPRequest.Method>()) { $0.formUnion($1.0.methods) }
        }
        return methods.isEmpty ? nil : methods.sorted { $0.rawValue < $1.rawValue }
    }

    /// The error for a request the router found no route for: 405 with `Allow` on a known path, else 404.
    func unrouted(_ request: Request) -> APIError {
        // A method the path answers can only be missing its route through a spelling the router does not
        // match (a trailing slash): that is a 404, not a 405 that lists the very method.
        guard let allowed = methods(of: request.uri.path), !allowed.contains(request.method) else {
            return APIError(.notFound, code: "not_found", "there is no route \(Self.shown(request.uri.path)); see /openapi.json")
        }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, code: "method_not_allowed",
                        "\(request.method.rawValue) is not allowed on \(Self.shown(request.uri.path)); it answers \(list)",
                        headers: [.allow: list])
    }

    /// A path short enough to quote in a message.
    private static func shown(_ path: String) -> String {
        path.count > 100 ? "\(path.prefix(100))… (\(path.utf8.count) bytes)" : path
    }
}
