import Quaero
import Foundation
public import Hummingbird
import NIOCore
import QuaeroQueue
public import ServiceLifecycle

/// `quaero serve`'s HTTP server as a service: the application of `APIRoutes`, with an error that names the
/// address when it cannot listen there.
public struct APIServer<App: ApplicationProtocol>: Service {
    let application: App
    let host: String
    let port: Int

    /// Wraps `application`, which listens on `host`:`port`.
    public init(_ application: App, host: String, port: Int) {
        self.application = application
        self.host = host
        self.port = port
    }

    /// Serves until graceful shutdown.
    /// - Throws: `conflict` naming the address when it is in use; `invalidArgument` when it cannot be
    ///   listened on otherwise (not an address of this machine, a port that needs privileges).
    public func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError {
            throw Self.listenError(error, host: host, port: port)
        }
    }

    /// The error for a failed listen on `host`:`port`.
    static func listenError(_ error: IOError, host: String, port: Int) -> QuaeroError {
        let address = "\(host):\(port)"
        switch error.errnoCode {
        case EADDRINUSE:
            return QuaeroError(.conflict, "\(address) is already in use; stop what listens there, or choose another port with --port or [server] port")
        case EACCES:
            return QuaeroError(.invalidArgument, "cannot listen on \(address): port \(port) needs privileges; choose a port above 1023 with --port or [server] port")
        default:
            return QuaeroError(.invalidArgument, "cannot listen on \(address): \(String(cString: strerror(error.errnoCode))); check [server] host and port")
        }
    }
}
