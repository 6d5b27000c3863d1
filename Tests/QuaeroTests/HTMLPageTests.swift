import Quaero
import Testing

@Suite("HTML: title, visible text, links, base and robots from libxml2's parser")
struct HTMLPageTests {
    @Test("a well-formed page gives its title, its visible text by block, and its links in order")
    func wellFormed() {
        let page = HTMLPage(html: """
            <!DOCTYPE html>
            <html><head>
              <title>  The   Title\n </title>
              <style>body { color: red }</style>
              <script>var hidden = "<a href='/in-script'>no</a>";</script>
            </head>
            <body>
              <h1>Heading</h1>
              <p>First   paragraph with <b>bold</b> and <a href="/about">a link</a>.</p>
              <ul><li>One</li><li>Two<br>lines</li></ul>
              <noscript>Enable JavaScript</noscript>
              <template><p>Template text</p></template>
              <p>Entities: caf&eacute; &amp; &lt;tags&gt;&nbsp;here</p>
              <a href="https://example.org/x">External</a>
              <!-- a comment -->
            </body></html>
            """)
        #expect(page.title == "The Title")
        #expect(page.text == """
            Heading
            First paragraph with bold and a link.
            One
            Two
            lines
            Entities: café & <tags> here
            External
            """)
        #expect(page.links == ["/about", "https://example.org/x"])
        #expect(page.baseHref == nil)
        #expect(!page.noFollow && !page.noIndex)
    }

    @Test("every kind of href is returned as written, trimmed, once each; empty ones are dropped")
    func linkKinds() {
        let page = HTMLPage(html: """
            <body>
            <a href="page.html">relative</a>
            <a href="../up/page.html">parent</a>
            <a href="/absolute/path?q=1">root</a>
            <a href="https://other.example/">other host</a>
            <a href="#section">fragment</a>
            <a href="page.html#part">relative with fragment</a>
            <a href="javascript:void(0)">script</a>
            <a href="mailto:someone@example.com">mail</a>
            <a href="  spaced.html  ">spaced</a>
            <a href="">empty</a>
            <a>no href</a>
            <a href="page.html">duplicate</a>
            <A HREF="UPPER.html">upper case</A>
            <map><area href="/area" alt="x"></map>
            <a href="/q?a=1&amp;b=2">entity in href</a>
            </body>
            """)
        #expect(page.links == [
            "page.html", "../up/page.html", "/absolute/path?q=1", "https://other.example/", "#section",
            "page.html#part", "javascript:void(0)", "mailto:someone@example.com", "spaced.html", "UPPER.html",
            "/area", "/q?a=1&b=2",
        ])
    }

    @Test("the first <base href> is reported")
    func base() {
        let page = HTMLPage(html: """
            <html><head><base href="https://cdn.example/docs/"><base href="https://ignored.example/"></head>
            <body><a href="guide.html">Guide</a></body></html>
            """)
        #expect(page.baseHref == "https://cdn.example/docs/")
        #expect(page.links == ["guide.html"])
        #expect(HTMLPage(html: "<base target=_blank><p>x</p>").baseHref == nil)
    }

    @Test("broken HTML still parses: unclosed tags, stray end tags, bad nesting, no html or body")
    func broken() {
        let page = HTMLPage(html: """
            <title>Broken</title><p>Para one<p>Para two <b>bold <i>both</b> italic?</i>
            </div></span><a href=unquoted.html>Unquoted<a href='single.html'>Single
            <table><tr><td>cell 1<td>cell 2</table>
            <div><p>Unclosed at the end
            """)
        #expect(page.title == "Broken")
        #expect(page.links == ["unquoted.html", "single.html"])
        #expect(page.text.contains("cell 1\ncell 2"))
        #expect(page.text.contains("Unclosed at the end"))
        #expect(page.text.contains("bold both italic?"))
    }

    @Test("garbage, binary and empty input give an empty or partial page, never a crash")
    func garbage() {
        #expect(HTMLPage(html: "") == HTMLPage())
        #expect(HTMLPage(bytes: []) == HTMLPage())
        let binary = HTMLPage(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        #expect(binary.links.isEmpty)
        #expect(HTMLPage(html: "just text").text == "just text")
        #expect(HTMLPage(html: "<<<>>><a href=>x</a></").links.isEmpty)
    }

    @Test("deep nesting does not exhaust the stack")
    func deepNesting() {
        let html = String(repeating: "<div>", count: 20_000) + "deep <a href=\"/deep\">link</a>" + String(repeating: "</div>", count: 20_000)
        let page = HTMLPage(html: html)
        // libxml2 caps the tree depth; whatever it keeps must be walked without recursion.
        #expect(page.links.count <= 1)
    }

    @Test("meta robots: nofollow, noindex, none, case and spacing")
    func robotsMeta() {
        #expect(HTMLPage(html: "<meta name=robots content=nofollow>").noFollow)
        #expect(!HTMLPage(html: "<meta name=robots content=nofollow>").noIndex)
        let both = HTMLPage(html: "<meta name=\"ROBOTS\" content=\"NoIndex, NoFollow\">")
        #expect(both.noFollow && both.noIndex)
        let none = HTMLPage(html: "<meta name=robots content=none>")
        #expect(none.noFollow && none.noIndex)
        #expect(!HTMLPage(html: "<meta name=description content=nofollow>").noFollow)
        #expect(!HTMLPage(html: "<meta name=robots content=\"index,follow\">").noFollow)
    }

    @Test("encodings: UTF-8 without a declaration, a meta charset, and the charset the server sent")
    func encodings() {
        #expect(HTMLPage(bytes: Array("<p>Grüße, naïve café — ok</p>".utf8)).text == "Grüße, naïve café — ok")
        // "café" in ISO-8859-1 is 63 61 66 e9.
        let latin1: [UInt8] = Array("<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf".utf8) + [0xe9] + Array("</p></body></html>".utf8)
        #expect(HTMLPage(bytes: latin1).text == "café")
        let undeclared: [UInt8] = Array("<p>caf".utf8) + [0xe9] + Array("</p>".utf8)
        #expect(HTMLPage(bytes: undeclared, encoding: "ISO-8859-1").text == "café")
    }

    @Test("text from inline elements joins without extra breaks; blocks and cells break lines")
    func textLayout() {
        let page = HTMLPage(html: "<div>a<span>b</span> c</div><div>d</div><p>e<br/>f</p>x<em>y</em>")
        #expect(page.text == "ab c\nd\ne\nf\nxy")
    }
}
