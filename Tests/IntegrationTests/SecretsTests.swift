import Foundation
import PGSink
import Testing

/// A secret in a connection string never reaches the output, the JSON logs, `status` or the
/// run history — here the TLS key's password of a MongoDB URI, and a PostgreSQL password.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SecretsTests {
    @Test func credentialOptionsAreMaskedEverywhere() throws {
        let project = try TemporaryProject("it_secret", """
            pipeline: it_secret
            streams: [{name: things}]
            transform: {enabled: false}
            retries: {attempts: 0}
            """)
        let uri = "mongodb://reader:s3cret-user@127.0.0.1:1/?serverSelectionTimeoutMS=300&tls=true&tlsCertificateKeyFilePassword=s3cret-key"
        var printed = ""
        for format in ["text", "json"] {
            let run = try project.energize("run", "--mongo-uri", uri, "--log-format", format)
            #expect(run.status != 0, "a run against no server succeeded: \(run.output)")
            printed += run.output
        }
        printed += try project.energize("status").output
        printed += try project.energize("status", "--json").output
        printed += try project.energize("debug", "--mongo-uri", uri).output
        // Strings given to the wrong server: libpq repeats a string it cannot parse.
        let swapped = try EnergizeBinary.start(["debug"], in: project.folder, environment: ["ENERGIZE_PG_URI": uri]).wait()
        printed += swapped.output
        let status = try project.energize("status", "--pg-uri", uri)
        #expect(status.status == 2 && status.output.contains("is a mongodb:// URI"), "\(status.output)")
        printed += status.output
        // libmongoc's own log lines go through the same mask (it repeats an option's value).
        let logged = try project.energize("debug", "--mongo-uri", "mongodb://u:s3cret-pw@127.0.0.1:1/?compressors=s3cret-pw")
        #expect(logged.output.contains("libmongoc warning: Unsupported compressor: '***'"), "\(logged.output)")
        printed += logged.output
        // A password with characters a URI must encode: refused before a driver misreads it
        // (and repeats a piece of it as a host or a port).
        for command in ["status", "run", "debug"] {
            let misread = try project.energize(command, "--pg-uri", "postgresql://u:s3cret/a?ss#w@rd@127.0.0.1:1/db")
            // `debug` reports it as a failed check (exit 1), the others as a configuration mistake.
            #expect(misread.status == (command == "debug" ? 1 : 2) && misread.output.contains("write @ as %40"), "\(command): \(misread.output)")
            #expect(!misread.output.contains("ss#w") && !misread.output.contains("rd@"), "\(command): \(misread.output)")
            printed += misread.output
        }
        #expect(printed.contains("it_secret") && printed.contains("***"), "\(printed)")
        #expect(!printed.contains("s3cret"), "a secret was printed: \(printed)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let history = try connection.execute("""
            SELECT coalesce(string_agg(to_jsonb(r)::text, ' '), '') FROM it_secret_meta.runs r
            UNION ALL SELECT coalesce(string_agg(to_jsonb(s)::text, ' '), '') FROM it_secret_meta.stream_runs s
            """).rows.compactMap { $0[0] }.joined(separator: " ")
        #expect(history.contains("the run cannot start") && history.contains("***"), "\(history)")
        #expect(!history.contains("s3cret"), "a secret is in the run history: \(history)")
    }
}

/// Before any stream, both servers are asked once: an unknown MongoDB host fails the run at
/// once with one line (no stream retries it five times over).
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct PreflightTests {
    @Test func anUnknownHostFailsTheRunOnceAndAtOnce() throws {
        let project = try TemporaryProject("it_preflight", """
            pipeline: it_preflight
            streams: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
            transform: {enabled: false}
            retries: {attempts: 3, initial_delay: 30s}
            """)
        let started = Date()
        let run = try project.energize("run", "--mongo-uri", "mongodb://no-such-host.invalid:27017/")
        #expect(run.status == 1, "\(run.output)")
        #expect(Date().timeIntervalSince(started) < 25, "an unknown host was retried")
        let lines = run.output.split(separator: "\n").filter { $0.contains("no-such-host.invalid") }
        #expect(lines.count == 1, "\(run.output)")
        #expect(lines.first?.contains("Failed to resolve") == true && lines.first?.contains("no stream was attempted") == true, "\(run.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        #expect(try connection.execute("SELECT status FROM it_preflight_meta.runs").rows == [["failed"]])
        #expect(try connection.execute("SELECT count(*) FROM it_preflight_meta.stream_runs").scalar == "0")
    }

    /// A run waiting to ask MongoDB again is history already (`running`, from when it started),
    /// and a stop request ends the wait: exit 6, the run `stopped`, no stream started.
    @Test func aRunWaitingForMongoDBShowsAsRunningAndStopsOnRequest() throws {
        let project = try TemporaryProject("it_preflight_stop", """
            pipeline: it_preflight_stop
            streams: [{name: a}, {name: b}]
            transform: {enabled: false}
            retries: {attempts: 3, initial_delay: 60s}
            """)
        // Nothing listens on port 1: a transient failure, retried after a minute.
        let run = try EnergizeBinary.start(["run", "--mongo-uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300"],
                                           in: project.folder)
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let deadline = Date().addingTimeInterval(60)
        var running = false
        while Date() < deadline, !running {
            running = (try? connection.execute("SELECT 1 FROM it_preflight_stop_meta.runs WHERE status = 'running'").rows.isEmpty == false) ?? false
            if !running { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(running, "the waiting run is not in the history")
        // Once the first attempt has failed and the wait has begun; `status` shows the time so far.
        Thread.sleep(forTimeInterval: 1.5)
        let status = try project.energize("status")
        #expect(status.output.range(of: #"run 1  .* UTC  [0-9]+\.[0-9] s so far  RUNNING"#, options: .regularExpression) != nil, "\(status.output)")
        run.send(SIGTERM)
        let ended = run.wait()
        #expect(ended.status == 6 && ended.output.contains("stopped on request while MongoDB was being asked"), "\(ended.output)")
        let rows = try connection.execute("""
            SELECT status, finished_at > started_at FROM it_preflight_stop_meta.runs
            """).rows
        #expect(rows == [["stopped", "t"]], "\(rows)")
        #expect(try connection.execute("SELECT count(*) FROM it_preflight_stop_meta.stream_runs").scalar == "0")
    }
}
