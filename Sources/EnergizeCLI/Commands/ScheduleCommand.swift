import ArgumentParser
import EnergizeCore
import Foundation

/// `energize schedule`: runs the pipeline on its cron expression or interval until stopped.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the pipeline on the schedule of energize.yml (cron, UTC, or interval) until SIGINT/SIGTERM.",
        discussion: """
            A tick missed while a run was going on (or the machine slept) is run once, not once per \
            missed tick. SIGINT/SIGTERM stop after the running streams commit or roll back. Streams \
            retry transient failures as `retries` says.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Override the schedule with a cron expression (5 fields, UTC).")
    var cron: String?

    @Option(help: "Override the schedule with an interval such as 15m or 1h.")
    var every: String?

    @Option(help: "Stop after this many runs (for trials and tests).")
    var maxRuns: Int?

    @Flag(help: "Start with a run now instead of waiting for the first tick.")
    var now = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        var config = try options.load()
        if let cron {
            do { config.schedule = .cron(try CronExpression(cron)) } catch { throw ValidationError("--cron \(cron): \(error)") }
        }
        if let every {
            guard let seconds = ConfigReader.seconds(every), seconds > 0 else { throw ValidationError("--every \(every): expected a duration like 15m or 1h") }
            config.schedule = .interval(seconds)
        }
        guard let schedule = config.schedule else {
            throw ConfigurationMissing("no schedule: set schedule.cron or schedule.interval in energize.yml, or pass --cron / --every")
        }
        // Said when the scheduler starts, not when it first fires.
        try config.checkTimeZone(pgURI: try config.requirePG())
        let stop = StopRequest()
        let signals = SignalWatcher(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        var scheduler = Scheduler(schedule: schedule, now: Date())
        var runs = 0
        if !now, let first = scheduler.nextRun(now: Date()) { print("next run at \(Self.text(first))") }
        while !stop.isRequested {
            if !now || runs > 0 {
                guard let due = scheduler.nextRun(now: Date()) else { throw CLIError.failed("the schedule never fires") }
                while Date() < due && !stop.isRequested {
                    try await Task.sleep(nanoseconds: UInt64(max(0.01, min(1, due.timeIntervalSinceNow)) * 1e9))
                }
                if stop.isRequested { break }
            }
            scheduler.ran(at: Date())
            print("== run at \(Self.text(Date()))")
            let status = try await PipelineExecution(config: config, quiet: output.quiet, stop: stop, json: output.logFormat == .json, logger: output.logger()).run()
            print("== finished with status \(status.rawValue) (\(status))")
            runs += 1
            if let maxRuns, runs >= maxRuns { break }
        }
        print("scheduler stopped")
        // Stopped on request (SIGINT/SIGTERM) is status 6, as for every command; --max-runs reached is 0.
        if stop.isRequested { throw ExitCode(6) }
    }

    static func text(_ date: Date) -> String {
        CivilTime(millisecondsSinceEpoch: Int64(date.timeIntervalSince1970 * 1000)).iso8601
    }
}

/// When the next run is due: the first tick after the last run started, or at once when that
/// tick has already passed (a missed tick runs once, not once per missed tick).
struct Scheduler {
    let schedule: EnergizeConfig.Schedule
    private(set) var lastRun: Date

    init(schedule: EnergizeConfig.Schedule, now: Date) {
        self.schedule = schedule
        lastRun = now
    }

    /// The time the next run is due; `now` or earlier means at once.
    func nextRun(now: Date) -> Date? {
        switch schedule {
        case .interval(let seconds):
            return lastRun.addingTimeInterval(seconds)
        case .cron(let cron):
            guard let tick = cron.next(after: Int64(lastRun.timeIntervalSince1970 * 1000)) else { return nil }
            return Date(timeIntervalSince1970: Double(tick) / 1000)
        }
    }

    /// Records that a run started at `time`.
    mutating func ran(at time: Date) {
        lastRun = time
    }
}

/// Turns SIGINT and SIGTERM into a stop request.
final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []

    init(stop: StopRequest) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                print("\nstop requested: running streams commit or roll back, running models are cancelled and roll back, nothing new starts")
                stop.request()
            }
            source.resume()
            sources.append(source)
        }
    }
}
