@testable import EnergizeCLI
import Testing

/// The run timeline's axis: round steps, and labels that tell every tick apart.
@Suite struct ChartsTests {
    @Test(arguments: [0.001, 0.035, 0.35, 0.44, 1.95, 4.1, 12.0, 75.0, 3_600.0])
    func everyTickHasItsOwnLabel(end: Double) {
        let axis = Charts.ticks(upTo: end)
        let labels = axis.positions.map { Charts.tickLabel($0, decimals: axis.decimals) }
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(labels.first == (axis.decimals == 0 ? "0 s" : "0." + String(repeating: "0", count: axis.decimals) + " s"), "\(labels)")
        #expect((4...11).contains(axis.positions.count), "\(labels)")
    }

    @Test func aStepOfHundredthsIsLabelledInHundredths() {
        let axis = Charts.ticks(upTo: 0.35)
        #expect(axis.positions.map { Charts.tickLabel($0, decimals: axis.decimals) }.prefix(3) == ["0.00 s", "0.05 s", "0.10 s"])
        let whole = Charts.ticks(upTo: 40)
        #expect(whole.positions.map { Charts.tickLabel($0, decimals: whole.decimals) }.prefix(3) == ["0 s", "5 s", "10 s"])
    }
}
