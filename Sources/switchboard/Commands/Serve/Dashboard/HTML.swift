import Foundation

/// Markup built from escaped text: every value from a payload, an error, a queue or a kind goes through
/// `HTML.text` (or an attribute through `HTML.attribute`), so none of it can become markup.
struct HTML: Sendable {
    let markup: String

    init(trusted markup: String) {
        self.markup = markup
    }

    /// `value` as text: `&`, `<`, `>`, `"` and `'` escaped.
    static func text(_ value: String) -> HTML {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return HTML(trusted: escaped)
    }

    /// An element with escaped text inside.
    static func element(_ name: String, _ text: String, class className: String? = nil) -> HTML {
        HTML(trusted: "<\(name)\(className.map { " class=\"\($0)\"" } ?? "")>\(Self.text(text).markup)</\(name)>")
    }

    /// A link to a dashboard path (which the caller builds from escaped parts).
    static func link(_ path: String, _ text: String) -> HTML {
        HTML(trusted: "<a href=\"\(Self.text(path).markup)\">\(Self.text(text).markup)</a>")
    }

    /// A table whose cells are already markup.
    static func table(_ header: [String], _ rows: [[HTML]]) -> HTML {
        let head = header.map { "<th>\(Self.text($0).markup)</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0.markup)</td>" }.joined() + "</tr>" }.joined()
        return HTML(
            trusted: "<div class=\"scroll\"><table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>")
    }

    static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(trusted: lhs.markup + rhs.markup)
    }

    static func join(_ parts: [HTML]) -> HTML {
        HTML(trusted: parts.map(\.markup).joined())
    }

    /// A whole page: the navigation, the title and `body`, with the dashboard's own stylesheet and no
    /// other asset.
    /// - Parameter signOutCSRF: the session's CSRF token when signed in, for the sign-out button.
    static func page(title: String, body: HTML, signOutCSRF: String?, canSignIn: Bool) -> String {
        let navigation = [
            ("/dashboard", "Queues"), ("/dashboard/jobs", "Jobs"), ("/dashboard/workers", "Workers"),
            ("/dashboard/dead-letters", "Dead letters"), ("/dashboard/links", "Links"),
        ].map { "<a href=\"\($0.0)\">\($0.1)</a>" }.joined()
        let session =
            if let csrf = signOutCSRF {
                "<form class=\"who\" method=\"post\" action=\"/dashboard/sign-out\">"
                    + "<input type=\"hidden\" name=\"csrf\" value=\"\(Self.text(csrf).markup)\"><button>Sign out</button></form>"
            } else if canSignIn {
                "<a class=\"who\" href=\"/dashboard/sign-in\">Sign in</a>"
            } else {
                "<span class=\"who\">read-only</span>"
            }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.text(title).markup) · Switchboard</title>
            <style>\(stylesheet)</style></head>
            <body><header><strong>Switchboard</strong><nav>\(navigation)</nav>\(session)</header>
            <main><h1>\(Self.text(title).markup)</h1>\(body.markup)</main></body></html>
            """
    }

    private static let stylesheet = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center;padding:.75rem 1rem;background:#1d2330;color:#fff}
        header a{color:#cfe0ff;text-decoration:none}nav{display:flex;flex-wrap:wrap;gap:1rem}.who{margin-left:auto;opacity:.8}
        main{padding:1rem;max-width:72rem;margin:auto}h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.5rem}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}
        th,td{padding:.4rem .6rem;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
        th{font-weight:600;background:#eef1f5}pre{white-space:pre-wrap;word-break:break-word;background:#fff;padding:.75rem;border:1px solid #e3e6eb}
        form{display:inline}button{font:inherit;padding:.2rem .6rem;border:1px solid #8a94a6;border-radius:4px;background:#fff;cursor:pointer}
        .bad{color:#a01616}.muted{color:#687287}svg{max-width:100%;height:auto;background:#fff;border:1px solid #e3e6eb}
        input{font:inherit;padding:.25rem .4rem}label{margin-right:.5rem}
        """
}
