/// A job's descendants (children, their children, and so on) as a tree of bounded size, with the combined
/// progress of all of them: what a job's page shows. A crawl can have 10,000 descendants; the tree holds at
/// most `limit` of them, level by level (the children first, then the grandchildren), newest first under
/// each parent, and says how many it leaves out.
public struct JobTree: Sendable {
    /// A shown job and the children shown under it.
    public struct Node: Sendable {
        /// The job.
        public let job: Job
        /// Its children that are shown, newest first.
        public internal(set) var children: [Node]
        /// How many of its children are not shown (all of them when the tree's limit was reached before it).
        public internal(set) var childrenNotShown: Int
    }

    /// The root's children that are shown, newest first, each with its subtree.
    public let children: [Node]
    /// How many of the root's children are not shown.
    public let childrenNotShown: Int
    /// The combined progress of every descendant, shown or not: how many there are, ended well, ended badly.
    public let progress: JobProgress
    /// How many descendants are shown.
    public let shown: Int

    /// How many descendants there are.
    public var total: Int { progress.total }
    /// How many descendants are not shown.
    public var notShown: Int { max(0, total - shown) }

    /// Reads the tree below `root` in `reader`: the combined progress (`descendantProgress`), and one page of
    /// children for each shown job that has children (at most `limit` pages of at most `perParent` jobs).
    public static func read(below root: Job, in reader: any StoreReader, limit: Int = 100, perParent: Int = 20) async throws -> JobTree {
        let progress = try await reader.descendantProgress(of: root.id)
        // Level by level over a flat list: (job, index of its parent in `flat`, or nil under the root).
        var flat: [(job: Job, parent: Int?)] = []
        var notShown: [Int?: Int] = [:]
        var level: [(job: Job, index: Int?)] = [(root, nil)]
        while !level.isEmpty, flat.count < limit {
            var next: [(job: Job, index: Int?)] = []
            for (job, index) in level where flat.count < limit && (index == nil || Self.mayHaveChildren(job)) {
                let children = try await reader.jobs(JobFilter(parentID: job.id, limit: min(perParent, limit - flat.count)))
                notShown[index] = max(0, job.progress.total - children.count)
                for child in children {
                    flat.append((child, index))
                    next.append((child, flat.count - 1))
                }
            }
            level = next
        }
        // Assemble children under parents, deepest first, so each node is complete when its parent takes it.
        var nodes = flat.enumerated().map { Node(job: $0.element.job, children: [], childrenNotShown: notShown[$0.offset] ?? $0.element.job.progress.total) }
        for index in flat.indices.reversed() {
            if let parent = flat[index].parent { nodes[parent].children.insert(nodes[index], at: 0) }
        }
        let top = flat.indices.filter { flat[$0].parent == nil }.map { nodes[$0] }
        return JobTree(children: top, childrenNotShown: min(notShown[nil] ?? 0, max(0, progress.total - flat.count)),
                       progress: progress, shown: flat.count)
    }

    /// Whether a job may have children: the engine counts them in its progress (a handler may report other
    /// progress, which costs one empty read).
    private static func mayHaveChildren(_ job: Job) -> Bool { job.progress.total > 0 }
}
