import ArgumentParser
import EnergizeCore
import FlyingFox
import FlyingSocks
import Foundation
import PGSink

/// `energize serve`: the docs site, the dashboard with live data, a runs grid, the latest data-test
/// results and a JSON health endpoint, on localhost; read-only.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the docs site with live data, a runs grid, data-test results and /health (JSON), read-only.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. Pages are built from the warehouse again when \
            requested and older than --refresh seconds. Only GET and HEAD are answered (405 otherwise): \
            nothing can be changed through it. /health answers 200 when the last run succeeded and no \
            data test fails, 503 otherwise, with the last run, each stream's freshness and the failing tests.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: UInt16 = 8080

    @Option(help: "Seconds a built page is served before it is built again from the warehouse.")
    var refresh = 10.0

    @Option(help: "How many runs the history and the grid show.")
    var runs = 15

    @Option(help: "The dashboard to render (default: dashboard.yml in the project, when it exists).")
    var dashboard: String?

    func run() async throws {
        let config = try options.load()
        let uri = try config.requirePG()
        let setup = try PGConnection(uri, applicationName: "energize \(config.pipeline) serve")
        // Before the first load too: a monitor then sees `no_runs`, not a server that will not start.
        let project = try ProjectModels(config: config, rawColumns: try ProjectModels.rawColumnsWithStreams(setup, config: config))
        setup.close()
        let site = LiveSite(builder: SiteBuilder(config: config, project: project, dashboardFile: dashboard, runs: runs),
                            connectionString: uri, refresh: max(0, refresh))
        // Built once before listening: a project or warehouse that cannot be read fails now, with its reason.
        _ = try await site.page("/")
        // IPv4, on the address given (`localhost` is 127.0.0.1).
        let log = ServerLog()
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: host == "localhost" ? "127.0.0.1" : host, port: port), logger: log)
        await server.appendRoute("GET,HEAD /*") { request in
            do {
                guard let page = try await site.page(request.path) else {
                    return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("no page \(request.path)\n".utf8))
                }
                return HTTPResponse(statusCode: HTTPStatusCode(page.status, phrase: page.status == 200 ? "OK" : "Service Unavailable"),
                                    headers: [.contentType: page.contentType, HTTPHeader("Cache-Control"): "no-store"], body: page.body)
            } catch {
                return HTTPResponse(statusCode: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                                    body: Data("cannot read the warehouse: \(error)\n".utf8))
            }
        }
        await server.appendRoute("*") { request in
            HTTPResponse(statusCode: .methodNotAllowed, headers: [HTTPHeader("Allow"): "GET, HEAD", .contentType: "text/plain; charset=utf-8"],
                         body: Data("energize serve is read-only: \(request.method.rawValue) is not allowed\n".utf8))
        }
        print("serving \(config.pipeline) on http://\(host):\(port)/ (read-only; /health for monitors)")
        fflush(nil)
        let task = Task { try await server.run() }
        // SIGINT / SIGTERM stop it; requests in flight get a few seconds to finish.
        var sources: [any DispatchSourceSignal] = []
        let stop = AsyncStream<Int32> { continuation in
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { continuation.yield(signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
        for await _ in stop { break }
        sources.forEach { $0.cancel() }
        log.stop()
        await server.stop(timeout: 3)
        task.cancel()
        await site.close()
        print("stopped")
        throw ExitCode(6)
    }
}
