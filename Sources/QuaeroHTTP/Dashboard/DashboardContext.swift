import Foundation
import Hummingbird

/// The request context of the dashboard's routes: what its middleware established for the handlers.
struct DashboardContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The CSRF token every form of the page carries (the value of the `quaero_csrf` cookie).
    var csrfToken = ""
    /// The fields of a form POST, read (and its token checked) by `DashboardCSRFMiddleware`.
    var form = FormFields()

    init(context: BasicRequestContext) throws {
        coreContext = context.coreContext  // with the route's parameters
    }
}

/// The fields of an `application/x-www-form-urlencoded` body (or a query string), decoded as browsers encode them.
struct FormFields: Sendable {
    private var pairs: [(name: String, value: String)] = []

    init() {}

    /// Decodes `encoded`.
    /// - Throws: a 400 naming the field when an escape is malformed.
    init(_ encoded: String) throws {
        pairs = try FormQuery(encoded).all
    }

    /// The first value of `name`, nil when absent.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// The first value of `name`, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of `name`, in order (checkboxes and multi-selects).
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// Whether a checkbox `name` was checked.
    func checked(_ name: String) -> Bool { self[name].map { $0 == "on" || $0 == "yes" || $0 == "true" || $0 == "1" } ?? false }
}
