#ifndef SWITCHBOARD_CCRYPTO_SHIM_H
#define SWITCHBOARD_CCRYPTO_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/// The SHA-256 implementation, fetched from the default provider once. `EVP_sha256()` alone makes
/// every digest look the algorithm up again (an implicit fetch), which costs more than hashing a short key.
static inline const EVP_MD *sb_sha256_algorithm(void) {
    static EVP_MD *cached = NULL;
    EVP_MD *algorithm = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (algorithm == NULL) {
        EVP_MD *fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
        EVP_MD *expected = NULL;
        if (fetched != NULL &&
            !__atomic_compare_exchange_n(&cached, &expected, fetched, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            EVP_MD_free(fetched); /* another thread stored its fetch first */
        }
        algorithm = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    }
    return algorithm;
}

/// SHA-256 of `count` bytes into `digest` (32 bytes); returns 1 on success.
static inline int sb_sha256(const void *bytes, size_t count, unsigned char digest[32]) {
    const EVP_MD *algorithm = sb_sha256_algorithm();
    unsigned int length = 0;
    return algorithm != NULL && EVP_Digest(bytes, count, digest, &length, algorithm, NULL) == 1 && length == 32;
}

/// SHA-1 of `count` bytes into `digest` (20 bytes); returns 1 on success. (WeCom signs its callbacks
/// with it; nothing of Switchboard's own relies on it.)
static inline int sb_sha1(const void *bytes, size_t count, unsigned char digest[20]) {
    unsigned int length = 0;
    return EVP_Digest(bytes, count, digest, &length, EVP_sha1(), NULL) == 1 && length == 20;
}

/// HMAC-SHA256 of `count` bytes under `key` into `mac` (32 bytes); returns 1 on success.
static inline int sb_hmac_sha256(const void *key, size_t key_length, const void *bytes, size_t count,
                                 unsigned char mac[32]) {
    unsigned int length = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, bytes, count, mac, &length) != NULL && length == 32;
}

/// Decrypts `count` bytes (a multiple of 16) with AES-256-CBC under `key` (32 bytes) and `iv` (16 bytes),
/// leaving any padding in place for the caller, whose formats pad differently; returns the number of
/// bytes written to `plain` (at least `count` long), or -1.
static inline int sb_aes256_cbc_decrypt(const unsigned char key[32], const unsigned char iv[16],
                                        const unsigned char *cipher, int count, unsigned char *plain) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (context == NULL) {
        return -1;
    }
    int written = 0, last = 0;
    int ok = EVP_DecryptInit_ex(context, EVP_aes_256_cbc(), NULL, key, iv) == 1
        && EVP_CIPHER_CTX_set_padding(context, 0) == 1
        && EVP_DecryptUpdate(context, plain, &written, cipher, count) == 1
        && EVP_DecryptFinal_ex(context, plain + written, &last) == 1;
    EVP_CIPHER_CTX_free(context);
    return ok ? written + last : -1;
}

/// Encrypts `count` bytes (a multiple of 16, padded by the caller) with AES-256-CBC under `key` (32 bytes)
/// and `iv` (16 bytes) into `cipher` (at least `count` long); returns the number of bytes written, or -1.
/// Nothing of Switchboard's sends encrypted webhooks: the fuzz targets use it to encrypt a request the way
/// Feishu and WeCom do, so the fuzzer reaches the code that reads a decrypted body.
static inline int sb_aes256_cbc_encrypt(const unsigned char key[32], const unsigned char iv[16],
                                        const unsigned char *plain, int count, unsigned char *cipher) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (context == NULL) {
        return -1;
    }
    int written = 0, last = 0;
    int ok = EVP_EncryptInit_ex(context, EVP_aes_256_cbc(), NULL, key, iv) == 1
        && EVP_CIPHER_CTX_set_padding(context, 0) == 1
        && EVP_EncryptUpdate(context, cipher, &written, plain, count) == 1
        && EVP_EncryptFinal_ex(context, cipher + written, &last) == 1;
    EVP_CIPHER_CTX_free(context);
    return ok ? written + last : -1;
}

/// Whether two buffers of `count` bytes are equal, in time that does not depend on where they differ.
static inline int sb_equal_constant_time(const void *a, const void *b, size_t count) {
    return CRYPTO_memcmp(a, b, count) == 0;
}

#endif
