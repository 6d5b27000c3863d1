import Foundation
import QuaeroPostgres
import QuaeroTestSupport
import Testing

/// The store's parameters in PostgreSQL's binary format, read back by the server as text.
@Suite("PostgreSQL parameters", .enabled(if: hasPostgres))
struct ParameterTests {
    @Test("arrays of every element type reach the server as they are: empty, with NULLs, with text that needs quoting")
    func arrays() async throws {
        try await withClusterSchema { _, store in
            let values: [PostgresBind] = [
                [Int64(1), -2, Int64.max], [1, -3], [Int32(7), -8], [true, false], [1.5, -0.25],
                ["a", "b c", "", "é"], [Data([1, 2]), Data()],
                PostgresNullableArray(["x", nil, "y"]), PostgresNullableArray<Int64>([nil]),
                [Int64](), [String](),
            ]
            let row = try #require(try await sql(store, """
                SELECT $1::bigint[]::text, $2::bigint[]::text, $3::int[]::text, $4::bool[]::text, $5::float8[]::text,
                       $6::text[]::text, $7::bytea[]::text, $8::text[]::text, $9::bigint[]::text,
                       $10::bigint[]::text, cardinality($10::bigint[])::text, $11::text[]::text
                """, values).first)
            let read = try (0..<12).map { try row.text($0) }
            #expect(read == [
                "{1,-2,9223372036854775807}", "{1,-3}", "{7,-8}", "{t,f}", "{1.5,-0.25}",
                #"{a,"b c","",é}"#, #"{"\\x0102","\\x"}"#, "{x,NULL,y}", "{NULL}",
                "{}", "0", "{}",
            ])
        }
    }
}
