@testable import EnergizeCLI
import Testing

/// `energize status`'s text: why a run did not succeed, and its data tests whenever some ran.
@Suite struct RunHistoryTextTests {
    func run(status: String, error: String?, modelsBuilt: Int = 0, modelsFailed: [String] = [],
             testsPassed: Int = 0, testsFailed: [String] = []) -> RunHistory.Run {
        RunHistory.Run(runId: 7, startedAt: "2026-12-04 21:26:48", durationSeconds: 0.1, status: status, error: error, origin: nil,
                       streams: [], modelsBuilt: modelsBuilt, modelsUnchanged: 0, modelsFailed: modelsFailed,
                       testsPassed: testsPassed, testsReused: 0, testsFailed: testsFailed)
    }

    @Test func aTestOnlyRunThatFailedSaysWhichTestsAndWhy() {
        let text = RunHistory(pipeline: "p", runs: [run(status: "failed", error: "data tests failed: unique_dim_customer_sk",
                                                        testsPassed: 44, testsFailed: ["unique_dim_customer_sk"])]).text
        #expect(text.contains("  why: data tests failed: unique_dim_customer_sk"), "\(text)")
        #expect(text.contains("  data tests: 44 passed, failed: unique_dim_customer_sk"), "\(text)")
        #expect(!text.contains("models:"), "\(text)")
    }

    @Test func aTransformThatFailedBeforeItsTestsShowsNoTestLine() {
        let text = RunHistory(pipeline: "p", runs: [run(status: "failed", error: "transform: model fact failed", modelsBuilt: 3,
                                                        modelsFailed: ["fact"])]).text
        #expect(text.contains("  models: 3 built, not built: fact"), "\(text)")
        #expect(!text.contains("data tests"), "\(text)")
        #expect(text.contains("  why: transform: model fact failed"), "\(text)")
        let twoLines = RunHistory(pipeline: "p", runs: [run(status: "failed", error: "fact: boom\nagg: upstream", modelsFailed: ["fact", "agg"])]).text
        #expect(twoLines.contains("  why: fact: boom\n       agg: upstream"), "\(twoLines)")
    }
}
