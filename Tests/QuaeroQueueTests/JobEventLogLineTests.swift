import QuaeroQueue
import Testing

@Suite("Job events read back from their log lines")
struct JobEventLogLineTests {
    static let kinds: [JobEvent.Kind] = [.created, .started, .progress, .waitingForChildren, .completed, .failed, .retried,
                                         .deadLettered, .cancelled, .workerLost, .requeued]

    @Test("each event's log line names its kind again (a job's timeline is read from its log); other lines name none",
          arguments: kinds)
    func roundTrip(_ kind: JobEvent.Kind) {
        for message in [nil, "boom: <b>bad</b>"] as [String?] {
            var event = JobEvent(kind: kind, jobID: "j", type: "t", status: .running, attempt: 2,
                                 progress: JobProgress(total: 3, completed: 1), message: message, at: 0)
            event.retryAfter = kind == .retried ? .milliseconds(1500) : nil
            #expect(JobEvent.kind(ofLogLine: event.logLine.message) == kind, "\(event.logLine.message)")
        }
    }

    @Test("a handler's own lines are not events")
    func otherLines() {
        for line in ["fetched http://example.com/ (depth 1)", "completed the upload", "attempt to reconnect", "started"] {
            #expect(JobEvent.kind(ofLogLine: line) == nil, "\(line)")
        }
    }
}
