import Testing
@testable import Warehouse

/// `--select` in dbt's graph syntax, on a → b → c → d, with e reading b and z.
@Suite struct ModelSelectionTests {
    let graph: ModelGraph = {
        func model(_ name: String, _ dependencies: [String] = []) -> Model {
            Model(name: name, schema: "s", sql: "SELECT 1", materialization: .view, dependencies: dependencies)
        }
        return try! ModelGraph([model("a"), model("b", ["a"]), model("c", ["b"]), model("d", ["c"]), model("z"), model("e", ["b", "z"])])
    }()

    @Test(arguments: [
        (["b"], ["b"]), (["+c"], ["a", "b", "c"]), (["1+c"], ["b", "c"]), (["b+"], ["b", "c", "d", "e"]), (["b+1"], ["b", "c", "e"]),
        (["+c+"], ["a", "b", "c", "d"]), (["@c"], ["a", "b", "c", "d"]), (["@b"], ["a", "b", "c", "d", "e", "z"]),
        (["a d"], ["a", "d"]), (["a", "z+"], ["a", "e", "z"]), ([], ["a", "b", "c", "d", "e", "z"]),
    ])
    func selects(terms: [String], expected: [String]) throws {
        #expect(try ModelSelection(terms).resolve(in: graph).sorted() == expected)
    }

    @Test(arguments: [("nope", "--select names nope, which is not a model"), ("@+b", "--select @+b: expected name, +name, name+, 2+name, name+1 or @name"),
                      (" ", "--select names no model")])
    func refuses(term: String, message: String) {
        do {
            _ = try ModelSelection([term]).resolve(in: graph)
            Issue.record("\(term) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
