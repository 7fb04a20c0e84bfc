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

    /// A password with characters a URI should have encoded (`/`, `?`, `#`, `@`) is masked whole,
    /// and an `@` inside an option's value does not end it early; unsure, more is masked, not less.
    @Test(arguments: [
        ("postgresql://u:p/s3cret@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u:pa?s3cret@h/db?sslmode=require", "postgresql://u:***@h/db?sslmode=require"),
        ("mongodb://u:pa#s3cret@h/db", "mongodb://u:***@h/db"),
        ("mongodb://u:p@s3cret@h/db", "mongodb://u:***@h/db"),
        ("mongodb://u:s3cret@h/?authMechanismProperties=AWS_SESSION_TOKEN:x@y", "mongodb://u:***@h/?authMechanismProperties=***"),
        ("host=h password=my s3cret user=u", "host=h password=*** user=u"),
    ])
    func masksPasswordsTheDriverWouldMisread(input: String, expected: String) {
        #expect(Redaction.redact(input) == expected)
        #expect(!Redaction.scrub("bad: \(input)", connectionString: input).contains("s3cret"))
    }

    /// A password a driver would misread (a character the URI should have encoded) is refused
    /// before any driver sees it; what it repeats of it anyway is masked, piece by piece.
    @Test func aPasswordADriverWouldMisreadIsFoundAndItsPiecesMasked() {
        for uri in ["postgresql://energize:p/a?ss#w@rd@127.0.0.1:40193/energize", "postgresql://u:Zq/Np@h:5432/db",
                    "postgresql://u:Zq@Np@h/db", "mongodb://u:p#w@h/db", "mongodb://u:pa?ss@h1:27017,h2:27017/db",
                    "postgresql://u:12/34@h/db", "postgresql://u:12/34@h:5432/db"] {
            #expect(Redaction.hasUnencodedPassword(uri), "\(uri)")
        }
        for uri in ["postgresql://u:p%2Fw@h:5432/db", "postgresql://h:5432/db?user=me@srv", "postgresql://h/db?application_name=a@b",
                    "mongodb://u:pw@h/?appName=a@b", "mongodb://h1:27017,h2:27017/db?appName=a@b", "postgresql://[::1]:5432/db?x=a@b",
                    "host=h password=p@ss/word", "postgresql://h:5432/my@db", "postgresql://h:5432/db?user=a@b/c"] {
            #expect(!Redaction.hasUnencodedPassword(uri), "\(uri)")
        }
        let uri = "postgresql://energize:p/a?ss#w@rd@127.0.0.1:40193/energize"
        let message = #"missing key/value separator "=" in URI query parameter: "ss#w@rd@127.0.0.1:40193/energize""#
        #expect(Redaction.scrub(message, connectionString: uri) == #"missing key/value separator "=" in URI query parameter: "***@127.0.0.1:40193/energize""#)
        #expect(Redaction.scrub(#"invalid integer value "Zq" for connection option "port""#, connectionString: "postgresql://u:Zq/Np@h/db")
                == #"invalid integer value "***" for connection option "port""#)
    }

    /// An `@` in an option's value is not a user-info's end: the password alone is masked, the
    /// host, port and database stay readable; a libpq string holding `://` in a value is no URI.
    @Test func anAtSignInAnOptionValueLeavesTheRestReadable() {
        #expect(Redaction.redact("mongodb://u:s3cret@h/?appName=a@b") == "mongodb://u:***@h/?appName=a@b")
        #expect(Redaction.redact("postgresql://u:s3cret@h:5432/db?application_name=etl@acme") == "postgresql://u:***@h:5432/db?application_name=etl@acme")
        #expect(Redaction.redact("postgresql://h:5432/db?application_name=a@b&password=s3cret") == "postgresql://h:5432/db?application_name=a@b&password=***")
        #expect(Redaction.scrub(#"invalid percent-encoded token: "s3cret%zz""#, connectionString: "postgresql://u:s3cret%zz@h/db?application_name=a@b")
                == #"invalid percent-encoded token: "***""#)
        #expect(Redaction.redact("host=h password=s3cret application_name=http://x") == "host=h password=*** application_name=http://x")
        // `&` and `=` may stand unencoded in a password: they do not start an option there.
        #expect(Redaction.redact("mongodb://u:pass&x=1@h/db") == "mongodb://u:***@h/db")
        #expect(Redaction.redact("postgresql://u:ab&password=zz@h/db?sslpassword=k3y") == "postgresql://u:***@h/db?sslpassword=***")
        // An `@` in a path is no user-info's end.
        #expect(Redaction.redact("postgresql://h:5432/my@db") == "postgresql://h:5432/my@db")
        #expect(!Redaction.scrub("bad: host=h password=s3cret application_name=http://x",
                                 connectionString: "host=h password=s3cret application_name=http://x").contains("s3cret"))
    }

    /// A short password is masked where it stands as a word, not inside every longer word.
    @Test func aShortSecretIsMaskedAsAWordOnly() {
        #expect(Redaction.scrub("database abc does not exist for user ab", connectionString: "postgresql://ab:ab@h/abc")
                == "database abc does not exist for user ***")
        #expect(Redaction.scrub(#"missing "=" after "s3cret" in connection info string"#, connectionString: "host=h password=my s3cret")
                == #"missing "=" after "***" in connection info string"#)
    }

    /// Every credential-bearing option of libmongoc's and libpq's connection strings is masked,
    /// whatever its case; options that hold no secret are kept.
    @Test(arguments: [
        ("mongodb://h/?tls=true&tlsCertificateKeyFile=/k.pem&tlsCertificateKeyFilePassword=s3cret",
         "mongodb://h/?tls=true&tlsCertificateKeyFile=/k.pem&tlsCertificateKeyFilePassword=***"),
        ("mongodb://u:pw@h/?TLSCERTIFICATEKEYFILEPASSWORD=s3cret&appname=x", "mongodb://u:***@h/?TLSCERTIFICATEKEYFILEPASSWORD=***&appname=x"),
        ("mongodb://h/?sslClientCertificateKeyPassword=s3cret", "mongodb://h/?sslClientCertificateKeyPassword=***"),
        ("mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:s3cret", "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=***"),
        ("mongodb+srv://u:pw@cluster.example.net/db?retryWrites=true", "mongodb+srv://u:***@cluster.example.net/db?retryWrites=true"),
        ("postgresql://h/db?sslmode=require&sslpassword=s3cret&sslkey=/k", "postgresql://h/db?sslmode=require&sslpassword=***&sslkey=/k"),
        ("postgresql://u@h/db?PASSWORD=s3cret", "postgresql://u@h/db?PASSWORD=***"),
        ("host=h sslpassword=s3cret sslkey=/k.key user=u", "host=h sslpassword=*** sslkey=/k.key user=u"),
        ("host=h PASSWORD='a b' dbname=d", "host=h PASSWORD=*** dbname=d"),
    ])
    func masksEveryCredentialOption(input: String, expected: String) {
        #expect(Redaction.redact(input) == expected)
        #expect(!Redaction.redact(input).contains("s3cret"))
    }

    /// A driver's message that repeats the string it was given, or a piece of it, keeps no secret.
    @Test(arguments: [
        ("mongodb://bob:Hunter2secret@127.0.0.1:1/x",
         #"missing "=" after "mongodb://bob:Hunter2secret@127.0.0.1:1/x" in connection info string"#,
         #"missing "=" after "mongodb://bob:***@127.0.0.1:1/x" in connection info string"#),
        ("postgresql://u:Hunter2secret@h/db", "invalid value near Hunter2secret@h", "invalid value near ***@h"),
        ("host=h password='Hunter2 secret' user=u", "could not parse Hunter2 secret", "could not parse ***"),
        ("mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:Hunter2secret",
         "Unsupported value for authMechanismProperties: AWS_SESSION_TOKEN:Hunter2secret", "Unsupported value for authMechanismProperties: ***"),
    ])
    func scrubsMessagesThatRepeatTheString(connectionString: String, message: String, expected: String) {
        #expect(Redaction.scrub(message, connectionString: connectionString) == expected)
    }
}
