import Foundation

/// WeCom's encryption, shared by its webhook's messages and its media.
package enum WeComCrypto {
    /// WeCom's encryption, for messages and media alike: AES-256-CBC under `key` (32 bytes) with its first
    /// 16 bytes as the IV, padded PKCS#7-style to 32-byte blocks; nil when it does not decrypt.
    package static func decrypt(_ cipher: Data, key: Data) -> Data? {
        WebhookCrypto.decryptAES256CBC(key: key, iv: key.prefix(16), cipher).flatMap {
            WebhookCrypto.unpadded($0, blockSize: 32)
        }
    }

    /// The AES key an `EncodingAESKey` (43 characters of Base64) stands for; nil when it is not one.
    package static func aesKey(_ encodingAESKey: String) -> Data? {
        guard encodingAESKey.count == 43, let key = Data(base64Encoded: encodingAESKey + "="), key.count == 32 else {
            return nil
        }
        return key
    }
}
