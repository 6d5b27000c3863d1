import Crypto
import Foundation

/// The dashboard's sign-in when `[server] api_token` is set: the token is asked for once (a form), then a
/// session cookie carries an expiry signed with a key derived from the token (HMAC-SHA256). Nothing is kept
/// on the server: sessions hold across restarts and across servers with the same token, and changing the token
/// ends them all.
struct DashboardSession: Sendable {
    /// The cookie's name.
    static let cookie = "quaero_session"
    /// How long a session lasts.
    static let lifetime: Duration = .seconds(7 * 86_400)

    private let key: SymmetricKey
    private let token: String

    init(token: String) {
        self.token = token
        key = SymmetricKey(data: SHA256.hash(data: Array("quaero dashboard session\u{0}\(token)".utf8)))
    }

    /// Whether `given` is the API token, compared in time that depends only on the lengths.
    func isToken(_ given: String) -> Bool {
        constantTimeEqual(Array(given.utf8), Array(token.utf8))
    }

    /// A new session's cookie value: `expiry.signature`, expiry in Unix seconds.
    func issue(now: Date = Date()) -> String {
        let expiry = Int64(now.timeIntervalSince1970) + Self.lifetime.components.seconds
        return "\(expiry).\(signature(expiry))"
    }

    /// Whether `value` is a session this token issued that has not expired.
    func isValid(_ value: String?, now: Date = Date()) -> Bool {
        guard let value, let dot = value.firstIndex(of: "."), let expiry = Int64(value[..<dot]),
              expiry > Int64(now.timeIntervalSince1970) else { return false }
        return constantTimeEqual(Array(value[value.index(after: dot)...].utf8), Array(signature(expiry).utf8))
    }

    private func signature(_ expiry: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("session:\(expiry)".utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths: comparing a secret this way
/// does not tell an attacker how much of a guess was right.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
