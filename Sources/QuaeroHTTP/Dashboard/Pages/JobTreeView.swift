import Quaero
import QuaeroQueue

/// A job's tree on its page: the combined progress of every descendant, then the shown part of the tree as
/// nested lists (the engine bounds it: `JobTree`), each parent saying how many of its children are a link away.
enum JobTreeView {
    /// Descendants a page shows, in all and under one parent.
    static let limit = 100
    static let perParent = 20

    static func render(_ job: Job, _ tree: JobTree) -> HTML {
        guard tree.total > 0 else { return "<p class=\"muted\">No children.</p>" }
        let hidden: HTML = tree.notShown > 0
            ? " · \(UI.count(tree.notShown)) not shown (the first \(UI.count(tree.shown)), level by level)" : .empty
        return """
            <p>\(UI.progress(tree.progress)) <span class="muted">of \(UI.count(tree.total)) descendant\(tree.total == 1 ? "" : "s")\(hidden)</span></p>
            \(list(tree.children, parent: job.id, notShown: tree.childrenNotShown))
            """
    }

    private static func list(_ nodes: [JobTree.Node], parent: String, notShown: Int) -> HTML {
        guard !nodes.isEmpty || notShown > 0 else { return .empty }
        let items = HTML.joined(nodes.map { node -> HTML in
            let child = node.job
            let url = child.fields["url"]?.stringValue ?? ""
            let detail: HTML = url.isEmpty ? .empty : " <span class=\"clip muted\" title=\"\(url)\">\(url)</span>"
            let error: HTML = child.error.map { " <span class=\"clip s-failed\" title=\"\($0)\">\($0)</span>" } ?? .empty
            return """
                <li data-row>\(UI.jobLink(child.id)) \(child.type.rawValue) \(UI.badge(child.status.rawValue)) \
                \(UI.progress(child.progress.total > 0 ? child.progress : nil))\(detail)\(error)\
                \(list(node.children, parent: child.id, notShown: node.childrenNotShown))</li>
                """
        })
        let more: HTML = notShown > 0
            ? "<li><a href=\"/ui/jobs?parent=\(Dashboard.queryEscaped(parent))\">\(UI.count(notShown)) more →</a></li>" : .empty
        return "<ul class=\"tree\">\(items)\(more)</ul>"
    }
}
