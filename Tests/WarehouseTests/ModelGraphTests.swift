import Testing
@testable import Warehouse

@Suite struct ModelGraphTests {
    func model(_ name: String, _ dependencies: [String] = []) -> Model {
        Model(name: name, schema: "warehouse", sql: "SELECT 1", materialization: .view, dependencies: dependencies)
    }

    @Test func levelsRunDependenciesFirst() throws {
        let graph = try ModelGraph([model("fact_sales", ["dim_customer", "stg_sales"]), model("stg_sales"),
                                    model("dim_customer", ["stg_customers"]), model("stg_customers"),
                                    model("agg", ["fact_sales"])])
        #expect(graph.levels == [["stg_customers", "stg_sales"], ["dim_customer"], ["fact_sales"], ["agg"]])
        #expect(graph.upstream(of: "fact_sales") == ["fact_sales", "dim_customer", "stg_customers", "stg_sales"])
        #expect(graph.downstream(of: "stg_customers") == ["stg_customers", "dim_customer", "fact_sales", "agg"])
    }

    @Test func rejectsCyclesMissingDependenciesAndDuplicates() {
        #expect(throws: ModelGraph.Invalid(description: "models depend on each other in a cycle: a → b → a")) {
            try ModelGraph([model("a", ["b"]), model("b", ["a"]), model("c")])
        }
        #expect(throws: ModelGraph.Invalid(description: "model a depends on z, which does not exist")) {
            try ModelGraph([model("a", ["z"])])
        }
        #expect(throws: ModelGraph.Invalid(description: "two models are named a")) {
            try ModelGraph([model("a"), model("a")])
        }
    }
}
