import Foundation

/// How `energize follow` batches changes and when it builds the models (`follow:` in energize.yml;
/// the command's options override each key).
public struct FollowSettings: Sendable, Equatable {
    /// A micro-batch commits once it holds this many changes (`follow.batch_changes`)…
    public var batchChanges = 1_000
    /// …or this many seconds after its first change (`follow.batch_interval`).
    public var batchSeconds = 1.0
    /// Build the models and run the data tests this often while changes arrive
    /// (`follow.transform_every`); nil: not on a clock.
    public var transformSeconds: Double?
    /// Build them as soon as this many changes were applied since the last build
    /// (`follow.transform_after_changes`); nil: not by count.
    public var transformChanges: Int?

    public init() {}

    /// Whether models are built while following.
    public var transforms: Bool { transformSeconds != nil || transformChanges != nil }
}
