/// A robots.txt as fetched: its HTTP status and body, from which its rules follow (`RobotsTxt`).
public struct RobotsFile: Sendable, Equatable {
    /// The HTTP status (404 also stands for a robots.txt that could not be had, which allows everything).
    public let status: Int
    /// The body, as read (at most `RobotsTxt.parseLimit` bytes).
    public let body: String

    /// Creates the record.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// The rules it gives (RFC 9309 §2.3.1).
    public var rules: RobotsTxt { RobotsTxt(status: status, body: body) }
}
