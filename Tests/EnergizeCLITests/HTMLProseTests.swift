@testable import EnergizeCLI
import Testing

/// Descriptions on the docs site: escaped, backtick spans as code, an unmatched backtick kept.
@Suite struct HTMLProseTests {
    @Test(arguments: [
        ("Sale headers from the raw `sales` table", "Sale headers from the raw <code>sales</code> table"),
        ("`a<b` and `c`", "<code>a&lt;b</code> and <code>c</code>"),
        ("one ` alone", "one ` alone"),
        ("`x` then ` alone", "<code>x</code> then ` alone"),
        ("plain & simple", "plain &amp; simple"),
    ])
    func rendersCodeSpans(text: String, expected: String) {
        #expect(HTML.prose(text) == expected)
    }
}
