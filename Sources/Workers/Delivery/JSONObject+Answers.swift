import Enqueuer
import Foundation
import JSON
import Queue

extension JSONObject {
    func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { value } else { nil }
    }

    func integer(_ key: String) -> Int64? {
        if case .integer(let value)? = self[key] { value } else { nil }
    }

    func number(_ key: String) -> Double? {
        switch self[key] {
        case .integer(let value)?: Double(value)
        case .double(let value)?: value
        default: nil
        }
    }

    func object(_ key: String) -> JSONObject? {
        if case .object(let value)? = self[key] { value } else { nil }
    }
}
