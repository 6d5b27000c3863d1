import QuaeroPostgres
import QuaeroQueue
import QuaeroSQLite

extension QuaeroStore {
    /// The app's tables on this store, with that store's SQL.
    ///
    /// - Throws: `invalidArgument` for a store the app has no tables for.
    var content: any ContentStorage {
        get throws {
            if self is SQLiteStore { return SQLiteContent() }
            if self is PostgresStore { return PostgresContent() }
            throw QuaeroError(.invalidArgument, "the Quaero app has no tables for the store \(self)")
        }
    }
}
