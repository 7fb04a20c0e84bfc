import EnergizeCore
import EnergizeTesting
import Foundation
import Testing

/// Batches are bounded by bytes as well as rows: large documents make small batches, so one
/// 15 MB document never holds thousands of others in memory with it.
@Suite struct BatchBytesTests {
    final class Batches: @unchecked Sendable {
        // @unchecked Sendable: `sizes` is only touched under `lock`.
        private let lock = NSLock()
        private var last = 0
        private(set) var sizes: [Int] = []

        func record(_ event: PipelineEvent) {
            guard case .streamProgress(_, let read, _) = event else { return }
            lock.withLock {
                sizes.append(read - last)
                last = read
            }
        }
    }

    func batchSizes(documents: [Document], settings: PipelineSettings) async throws -> [Int] {
        let source = MemorySource()
        source.set("blobs", documents)
        let batches = Batches()
        let report = try await Pipeline(name: "bytes", source: source, sink: MemorySink(), streams: [StreamConfig("blobs")],
                                        settings: settings).run { batches.record($0) }
        #expect(report.succeeded)
        return batches.sizes
    }

    @Test func largeDocumentsMakeSmallBatches() async throws {
        let blob = String(repeating: "x", count: 600_000)
        let documents = (0..<10).map { n -> Document in ["_id": .int32(Int32(n)), "blob": .string(blob)] }
        // 1 MB a batch: each holds two 600 kB documents (the second one crosses the bound).
        #expect(try await batchSizes(documents: documents, settings: PipelineSettings(batchSize: 5_000, batchBytes: 1 << 20))
                == [2, 2, 2, 2, 2])
        // Small documents: the row bound applies.
        let small = (0..<10).map { n -> Document in ["_id": .int32(Int32(n))] }
        #expect(try await batchSizes(documents: small, settings: PipelineSettings(batchSize: 4, batchBytes: 1 << 20)) == [4, 4, 2])
    }
}
