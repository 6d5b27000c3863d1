/// The size of a fixed claim (`QueueSQL.lease(fixed:)`) as a type: a prepared statement is named by its type.
protocol FixedLimit: Sendable {
    static var count: Int { get }
}

enum FixedLimit1: FixedLimit { static let count = 1 }
enum FixedLimit2: FixedLimit { static let count = 2 }
enum FixedLimit3: FixedLimit { static let count = 3 }
enum FixedLimit4: FixedLimit { static let count = 4 }
enum FixedLimit5: FixedLimit { static let count = 5 }
enum FixedLimit6: FixedLimit { static let count = 6 }
enum FixedLimit7: FixedLimit { static let count = 7 }
enum FixedLimit8: FixedLimit { static let count = 8 }
enum FixedLimit10: FixedLimit { static let count = 10 }
enum FixedLimit16: FixedLimit { static let count = 16 }
enum FixedLimit32: FixedLimit { static let count = 32 }

extension QueueSQL {
    /// The type of each size in `fixedLimits`, largest first.
    static let fixedLimitTypes: [any FixedLimit.Type] = [
        FixedLimit32.self, FixedLimit16.self, FixedLimit10.self, FixedLimit8.self, FixedLimit7.self, FixedLimit6.self, FixedLimit5.self,
        FixedLimit4.self, FixedLimit3.self, FixedLimit2.self, FixedLimit1.self,
    ]
}
