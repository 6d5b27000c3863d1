/// The fields `updateJob` may change (status changes go through the engine: run, cancel, rerun).
public struct JobChanges: Sendable, Hashable {
    /// A new configuration.
    public var config: [String: JSONValue]?
    /// New progress counters.
    public var progress: JobProgress?
    /// A new progress message.
    public var message: String?
    /// A new result.
    public var result: JSONValue?

    /// Creates a change set; nil fields stay as they are.
    public init(config: [String: JSONValue]? = nil, progress: JobProgress? = nil, message: String? = nil, result: JSONValue? = nil) {
        self.config = config
        self.progress = progress
        self.message = message
        self.result = result
    }
}
