import Foundation
import Testing

/// Opens pages in headless Chromium (`scripts/chromium.sh` installs Debian's package; `make test`
/// passes its path as `ENERGIZE_CHROMIUM`): each page must render — a screenshot that is not
/// blank, a rendered DOM with its content — with nothing on the browser's console.
enum BrowserCheck {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func chromium() throws -> String {
        if let path = LiveServers.environment["ENERGIZE_CHROMIUM"], !path.isEmpty { return path }
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw Missing(description: "no chromium: run the tests with `make test`, which installs it (scripts/chromium.sh)")
    }

    /// Where screenshots are kept: `$ENERGIZE_STATE_DIR/screenshots/<name>` (or the temporary folder).
    static func screenshotFolder(_ name: String) -> URL {
        let base = LiveServers.environment["ENERGIZE_STATE_DIR"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        return base.appendingPathComponent("screenshots").appendingPathComponent(name)
    }

    /// Checks each page of `site` (paths relative to it; a folder from `file://`, or a served
    /// `http://` root); screenshots go to `screenshotFolder(screenshots)`.
    static func pages(_ site: URL, _ pages: [String], screenshots: String) throws {
        let folder = screenshotFolder(screenshots)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for page in pages {
            let url = site.appendingPathComponent(page).absoluteString
            let png = folder.appendingPathComponent(page.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".html", with: ".png"))
            try? FileManager.default.removeItem(at: png)
            let shot = try run(["--screenshot=\(png.path)", "--window-size=1280,900", url])
            #expect(shot.status == 0, "chromium failed on \(page): \(shot.output)")
            #expect(consoleMessages(shot.output).isEmpty, "\(page) wrote to the console: \(consoleMessages(shot.output))")
            let stats = try pngStats(png)
            // Not blank: the page drew text, tables and charts in many colours over much of the window.
            #expect(stats.colours > 50 && stats.inked > 0.03, "\(page) looks blank: \(stats)")
            let dom = try run(["--dump-dom", url])
            #expect(dom.status == 0)
            #expect(dom.output.contains("<main>") && dom.output.contains("</h1>"), "\(page) did not render its content")
            #expect(consoleMessages(dom.output).isEmpty, "\(page) wrote to the console: \(consoleMessages(dom.output))")
        }
    }

    /// Lines the browser logged from the page's console (errors, failed loads).
    static func consoleMessages(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE(") || $0.contains("Uncaught") || $0.contains("net::ERR_") }
    }

    /// Runs headless Chromium with `arguments`; its own profile folder, removed afterwards.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("energize-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try chromium())
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--disable-extensions", "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile.path)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// What `scripts/png-stats.py` says of a screenshot.
    static func pngStats(_ png: URL) throws -> (width: Int, height: Int, colours: Int, inked: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", EnergizeTechProject.repository.appendingPathComponent("scripts/png-stats.py").path, png.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let parts = text.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard process.terminationStatus == 0, parts.count == 4 else { throw Missing(description: "cannot read \(png.path): \(text)") }
        return (Int(parts[0]) ?? 0, Int(parts[1]) ?? 0, Int(parts[2]) ?? 0, Double(parts[3]) ?? 0)
    }
}
