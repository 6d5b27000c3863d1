import QuaeroQueue
internal import CLibXML2

/// Reads an `HTMLPage` out of libxml2's parse tree in one pass.
///
/// The walk is iterative (child, next sibling, back up through parents) so that deeply nested markup
/// cannot exhaust the stack.
enum HTMLTreeWalker {
    /// Elements whose content is not visible text. Links inside them still count.
    fileprivate static let hidden: Set<String> = [
        "head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas",
    ]

    /// Elements that end a line of text (blocks, table cells, line breaks).
    fileprivate static let blocks: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
        "body", "html", "option", "legend",
    ]

    /// libxml2 must be initialised once before threads use it concurrently.
    private static let initialised: Void = xmlInitParser()

    static func parse(_ bytes: [UInt8], encoding: String?) -> HTMLPage {
        _ = initialised
        guard !bytes.isEmpty else { return HTMLPage() }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let count = Int32(clamping: bytes.count)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, count, nil, encoding, options)
            }
        }
        guard let document else { return HTMLPage() }
        defer { xmlFreeDoc(document) }
        var walk = Walk()
        walk.run(from: xmlDocGetRootElement(document))
        return walk.page()
    }

    /// The state of one walk over a tree.
    private struct Walk {
        var text = HTMLTextBuilder()
        var title: String?
        var links: [String] = []
        var seenLinks: Set<String> = []
        var baseHref: String?
        var noFollow = false
        var noIndex = false
        /// How many hidden elements enclose the current node.
        var hiddenDepth = 0

        mutating func run(from root: xmlNodePtr?) {
            var node = root
            while let current = node {
                var descend = false
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    let name = Self.name(of: current)
                    enter(current, name: name)
                    descend = current.pointee.children != nil
                    if !descend { leave(name) }
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if hiddenDepth == 0, let content = current.pointee.content { text.append(String(cString: content)) }
                default:
                    break
                }
                if descend {
                    node = current.pointee.children
                    continue
                }
                // No children to visit: move to the next sibling, leaving every finished ancestor on the way.
                var cursor: xmlNodePtr? = current
                node = nil
                while let here = cursor, here != root {
                    if let next = here.pointee.next {
                        node = next
                        break
                    }
                    cursor = here.pointee.parent
                    if let parent = cursor, parent.pointee.type == XML_ELEMENT_NODE { leave(Self.name(of: parent)) }
                }
            }
        }

        private mutating func enter(_ element: xmlNodePtr, name: String) {
            switch name {
            case "a", "area":
                if let href = Self.attribute("href", of: element)?.trimmingWhitespace(), !href.isEmpty,
                   seenLinks.insert(href).inserted {
                    links.append(href)
                }
            case "base":
                if baseHref == nil, let href = Self.attribute("href", of: element)?.trimmingWhitespace(), !href.isEmpty {
                    baseHref = href
                }
            case "title":
                if title == nil { title = Self.content(of: element).map(HTMLTextBuilder.collapse) }
            case "meta":
                readRobots(element)
            default:
                break
            }
            if HTMLTreeWalker.hidden.contains(name) { hiddenDepth += 1 }
            if HTMLTreeWalker.blocks.contains(name) { text.breakLine() }
        }

        private mutating func leave(_ name: String) {
            if HTMLTreeWalker.hidden.contains(name) { hiddenDepth -= 1 }
            if HTMLTreeWalker.blocks.contains(name) { text.breakLine() }
        }

        private mutating func readRobots(_ meta: xmlNodePtr) {
            guard Self.attribute("name", of: meta)?.lowercased().trimmingWhitespace() == "robots",
                  let content = Self.attribute("content", of: meta)?.lowercased() else { return }
            let directives = content.split { $0 == "," || $0 == " " || $0 == "\t" }
            for directive in directives {
                switch directive {
                case "nofollow": noFollow = true
                case "noindex": noIndex = true
                case "none": noFollow = true; noIndex = true
                default: break
                }
            }
        }

        mutating func page() -> HTMLPage {
            HTMLPage(title: title ?? "", text: text.finish(), links: links, baseHref: baseHref,
                     noFollow: noFollow, noIndex: noIndex)
        }

        /// The element's name in lowercase (libxml2's HTML parser already lowercases known tags).
        static func name(of node: xmlNodePtr) -> String {
            guard let name = node.pointee.name else { return "" }
            return String(cString: name).lowercased()
        }

        /// The value of attribute `name` (matched without regard to case), entities decoded.
        static func attribute(_ name: String, of element: xmlNodePtr) -> String? {
            var attribute = element.pointee.properties
            while let current = attribute {
                if let attributeName = current.pointee.name, String(cString: attributeName).lowercased() == name {
                    guard let value = xmlNodeListGetString(element.pointee.doc, current.pointee.children, 1) else { return "" }
                    defer { quaero_xml_free(value) }
                    return String(cString: value)
                }
                attribute = current.pointee.next
            }
            return nil
        }

        /// All text inside `node`, as libxml2 concatenates it.
        static func content(of node: xmlNodePtr) -> String? {
            guard let value = xmlNodeGetContent(node) else { return nil }
            defer { quaero_xml_free(value) }
            return String(cString: value)
        }
    }
}
