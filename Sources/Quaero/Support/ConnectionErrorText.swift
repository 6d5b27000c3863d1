import Foundation
import NIOCore
import NIOPosix

/// A connection error in words: `connection refused`, not NIO's `connection reset (error set): Connection
/// refused) (errno: 111)`, so that a crawl summary or a job log says plainly why a fetch failed.
enum ConnectionErrorText {
    /// The words for `error`; other errors as they describe themselves.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first { return describe(first.error) }
        return "\(error)"
    }
}
