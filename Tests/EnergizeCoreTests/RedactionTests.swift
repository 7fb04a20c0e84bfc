import EnergizeCore
import Testing

@Suite struct RedactionTests {
    @Test func redactsMongoPasswords() {
        #expect(Redaction.redact("mongodb://user:p%40ss@h1,h2/db?tls=true") == "mongodb://user:***@h1,h2/db?tls=true")
        #expect(Redaction.redact("mongodb://h:27017") == "mongodb://h:27017")
        #expect(Redaction.redact("mongodb://user@h:27017/db") == "mongodb://user@h:27017/db")
    }

    @Test func redactsPostgresPasswords() {
        #expect(Redaction.redact("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db")
        #expect(Redaction.redact("host=h password=secret user=u") == "host=h password=*** user=u")
        #expect(Redaction.redact("host=h password = 'se cr\\'et' user=u") == "host=h password=*** user=u")
        #expect(Redaction.redact("postgresql://h/db?password=secret&x=1") == "postgresql://h/db?password=***&x=1")
    }
}
