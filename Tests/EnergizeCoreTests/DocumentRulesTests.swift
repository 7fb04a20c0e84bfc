import EnergizeCore
import Testing

@Suite struct DocumentRulesTests {
    let items = FieldRequirement("items", .documents([
        FieldRequirement("sku", .string), FieldRequirement("quantity", .wholeNumber),
        FieldRequirement("unit_price", .number), FieldRequirement("discount", .number, optional: true),
    ]))

    func item(_ quantity: Value) -> Value { .document(["sku": .string("BAT"), "quantity": quantity, "unit_price": .decimal("10.5")]) }

    @Test func acceptsWholeNumbersOfAnyType() {
        let rules = DocumentRules(contract: [items])
        for quantity: Value in [.int32(2), .int64(2), .double(2.0), .decimal("2.00"), .decimal("2E+1")] {
            #expect(rules.violation(in: ["items": .array([item(quantity)])]) == nil, "\(quantity)")
        }
    }

    @Test func namesTheFieldPathOfAViolation() {
        let rules = DocumentRules(contract: [items])
        #expect(rules.violation(in: ["items": .array([item(.int32(1)), item(.string("two"))])])
                == "field `items.1.quantity` must be a whole number but is string \"two\"")
        #expect(rules.violation(in: ["items": .array([item(.double(2.5))])])
                == "field `items.0.quantity` must be a whole number but is double 2.5")
        #expect(rules.violation(in: ["items": .array([])]) == "field `items` must be a non-empty array of documents but is empty")
        #expect(rules.violation(in: ["items": .array([.int32(1)])]) == "field `items.0` must be a document but is int32")
        #expect(rules.violation(in: [:]) == "field `items` is required but is missing")
        #expect(rules.violation(in: ["items": .null]) == "field `items` is required but is null")
    }

    @Test func optionalFieldsMayBeMissingOrNullAndExtraFieldsAreFine() {
        let rules = DocumentRules(contract: [FieldRequirement("email", .string, optional: true)])
        #expect(rules.violation(in: [:]) == nil)
        #expect(rules.violation(in: ["email": .null, "extra": .int32(1)]) == nil)
        #expect(rules.violation(in: ["email": .int32(1)]) == "field `email` must be text but is int32 1")
    }

    @Test func strategyFieldsAreRequired() {
        let rules = StreamConfig("s", strategy: .incremental(cursor: "updated_at", key: "id", lookback: .days(7))).rules
        #expect(rules.violation(in: ["id": .string("1")]) == "field `updated_at` is required by the load strategy but is missing")
        #expect(rules.violation(in: ["id": .null, "updated_at": .date(0)]) == "field `id` is required by the load strategy but is null")
    }
}
