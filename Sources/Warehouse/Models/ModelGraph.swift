/// A set of transforms ordered by their dependencies (a DAG).
///
/// Checked once when made: names are unique, every dependency exists, there is no cycle.
public struct ModelGraph: Sendable {
    /// Why a set of models is not a valid graph.
    public struct Invalid: Error, Sendable, CustomStringConvertible, Equatable {
        /// What is wrong: the duplicate name, the missing dependency, or the cycle.
        public let description: String
    }

    /// The transforms, by name.
    public let models: [String: any Transform]
    /// Models grouped in levels: each level depends only on earlier ones, so the models of
    /// one level can run concurrently. Within a level, names are sorted.
    public let levels: [[String]]

    /// The graph of `models`, checked.
    /// - Parameter models: the transforms; each one's dependencies must be among them.
    /// - Throws: `Invalid` naming the duplicate, the missing dependency, or the cycle.
    public init(_ models: [any Transform]) throws {
        var byName: [String: any Transform] = [:]
        for model in models {
            guard byName.updateValue(model, forKey: model.name) == nil else {
                throw Invalid(description: "two models are named \(model.name)")
            }
        }
        for model in models {
            for dependency in model.dependencies where byName[dependency] == nil {
                throw Invalid(description: "model \(model.name) depends on \(dependency), which does not exist")
            }
        }
        var remaining = Set(byName.keys)
        var done = Set<String>()
        var levels: [[String]] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { byName[$0]!.dependencies.allSatisfy(done.contains) }.sorted()
            guard !ready.isEmpty else {
                throw Invalid(description: "models depend on each other in a cycle: \(Self.cycle(in: remaining, byName).joined(separator: " → "))")
            }
            levels.append(ready)
            done.formUnion(ready)
            remaining.subtract(ready)
        }
        self.models = byName
        self.levels = levels
    }

    /// The ``Model`` named `name`, when that transform is one.
    /// - Parameter name: a transform's name.
    public func model(_ name: String) -> Model? {
        models[name] as? Model
    }

    /// Every model in an order that runs dependencies first.
    public var order: [String] { levels.flatMap { $0 } }

    /// `name` and every model it depends on, directly or not (`+name` in a selection).
    /// - Parameters:
    ///   - name: a transform's name.
    ///   - depth: how many steps up to go (`2+name`: its dependencies and theirs); all by default.
    public func upstream(of name: String, depth: Int = .max) -> Set<String> {
        closure(from: name, depth: depth) { models[$0]?.dependencies ?? [] }
    }

    /// `name` and every model that depends on it, directly or not (`name+`).
    /// - Parameters:
    ///   - name: a transform's name.
    ///   - depth: how many steps down to go (`name+1`: the models reading it); all by default.
    public func downstream(of name: String, depth: Int = .max) -> Set<String> {
        closure(from: name, depth: depth) { current in models.values.filter { $0.dependencies.contains(current) }.map(\.name) }
    }

    /// `start` and what `next` reaches from it in at most `depth` steps (breadth first, so each
    /// model is reached by its shortest path).
    private func closure(from start: String, depth: Int, _ next: (String) -> [String]) -> Set<String> {
        var seen: Set<String> = [start]
        var frontier = [start]
        var steps = 0
        while !frontier.isEmpty && steps < depth {
            frontier = frontier.flatMap(next).filter { seen.insert($0).inserted }
            steps += 1
        }
        return seen
    }

    /// One cycle among `names`, for the error message.
    private static func cycle(in names: Set<String>, _ models: [String: any Transform]) -> [String] {
        var path: [String] = []
        var current = names.sorted()[0]
        while !path.contains(current) {
            path.append(current)
            current = models[current]!.dependencies.first(where: names.contains)!
        }
        return Array(path[path.firstIndex(of: current)!...]) + [current]
    }
}
