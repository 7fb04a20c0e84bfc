@testable import EnergizeCLI
import Foundation
import Testing

/// What a follower tells monitors: its pace over the last minute, and label values in `/metrics`.
@Suite struct FollowWatchTests {
    @Test func thePaceCountsTheLastMinuteOnly() {
        let start = ContinuousClock.now
        var pace = FollowerPace()
        pace.committed(10, at: start)
        pace.committed(5, at: start + .seconds(30))
        #expect(pace.lastMinute(at: start + .seconds(59)) == 15)
        #expect(pace.lastMinute(at: start + .seconds(61)) == 5)
        pace.committed(1, at: start + .seconds(120))
        #expect(pace.lastMinute(at: start + .seconds(120)) == 1)
    }

    @Test func metricLabelValuesAreEscaped() {
        #expect(MetricsText.escape(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
    }
}
