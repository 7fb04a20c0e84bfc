@testable import EnergizeCLI
import EnergizeCore
import Foundation
import Testing

@Suite struct SchedulerTests {
    func date(_ y: Int64, _ m: Int, _ d: Int, _ h: Int, _ min: Int) -> Date {
        Date(timeIntervalSince1970: Double(CivilTime.milliseconds(year: y, month: m, day: d, hour: h, minute: min)) / 1000)
    }

    @Test func aMissedTickRunsOnceNotOncePerMissedTick() throws {
        var scheduler = Scheduler(schedule: .cron(try CronExpression("0 * * * *")), now: date(2024, 1, 1, 10, 30))
        #expect(scheduler.nextRun(now: date(2024, 1, 1, 10, 30)) == date(2024, 1, 1, 11, 0))
        // The 11:00 run starts, and takes until 14:20: ticks 12:00, 13:00 and 14:00 were missed.
        scheduler.ran(at: date(2024, 1, 1, 11, 0))
        let due = try #require(scheduler.nextRun(now: date(2024, 1, 1, 14, 20)))
        #expect(due <= date(2024, 1, 1, 14, 20))   // at once…
        scheduler.ran(at: date(2024, 1, 1, 14, 20))
        #expect(scheduler.nextRun(now: date(2024, 1, 1, 14, 25)) == date(2024, 1, 1, 15, 0))   // …then back on the hour
    }

    @Test func intervalsCountFromTheLastRunsStart() {
        var scheduler = Scheduler(schedule: .interval(900), now: date(2024, 1, 1, 10, 0))
        #expect(scheduler.nextRun(now: date(2024, 1, 1, 10, 0)) == date(2024, 1, 1, 10, 15))
        scheduler.ran(at: date(2024, 1, 1, 10, 15))
        #expect(scheduler.nextRun(now: date(2024, 1, 1, 10, 40)) == date(2024, 1, 1, 10, 30))
    }
}
