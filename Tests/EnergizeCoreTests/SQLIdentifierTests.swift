import EnergizeCore
import Testing

@Suite struct SQLIdentifierTests {
    @Test func quotesEveryIdentifier() {
        #expect(SQLIdentifier.quote(#"we"ird"#) == #""we""ird""#)
        #expect(SQLIdentifier.qualified("public", "order") == #""public"."order""#)
    }

    @Test func listsQuotedNamesWithAnOptionalAlias() {
        #expect(SQLIdentifier.list(["a", #"b"c"#]) == #""a", "b""c""#)
        #expect(SQLIdentifier.list(["a", "b"], alias: "t") == #"t."a", t."b""#)
        #expect(SQLIdentifier.list([]) == "")
    }
}
