#ifndef SWITCHBOARD_CCRYPTO_SHIM_H
#define SWITCHBOARD_CCRYPTO_SHIM_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>

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

/// AES-128-ECB under `key` (16 bytes) with PKCS#7 padding, of `count` bytes into `output` (at least
/// `count` + 16 long): encrypting (padding added; WeChat's CDN takes media so) when `encrypting` is 1,
/// else decrypting (padding removed; a wrong key shows as bad padding). Returns the number of bytes
/// written, or -1.
static inline int sb_aes128_ecb(const unsigned char key[16], const unsigned char *input, int count,
                                unsigned char *output, int encrypting) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (context == NULL) {
        return -1;
    }
    int written = 0, last = 0;
    int ok = EVP_CipherInit_ex(context, EVP_aes_128_ecb(), NULL, key, NULL, encrypting) == 1
        && EVP_CipherUpdate(context, output, &written, input, count) == 1
        && EVP_CipherFinal_ex(context, output + written, &last) == 1;
    EVP_CIPHER_CTX_free(context);
    ERR_clear_error();
    return ok ? written + last : -1;
}

/// MD5 of `count` bytes into `digest`: what WeChat's CDN upload names a file's plaintext by, never a
/// security check. Returns 1 on success.
static inline int sb_md5(const void *bytes, size_t count, unsigned char digest[16]) {
    unsigned int length = 0;
    return EVP_Digest(bytes, count, digest, &length, EVP_md5(), NULL);
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

/// A public key from PEM text ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo); NULL when the text holds none.
static inline EVP_PKEY *sb_public_key_from_pem(const char *pem, size_t length) {
    if (length > INT32_MAX) {
        return NULL;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) {
        return NULL;
    }
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key == NULL) {
        ERR_clear_error(); /* a refused key leaves nothing on this thread's error queue */
    }
    return key;
}

/// Builds a public key of `type` ("RSA", "EC") from `params`; NULL when they describe none.
static inline EVP_PKEY *sb_public_key_from_params(const char *type, OSSL_PARAM *params) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (context == NULL || EVP_PKEY_fromdata_init(context) != 1
        || EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        key = NULL;
        ERR_clear_error();
    }
    EVP_PKEY_CTX_free(context);
    return key;
}

/// An RSA public key from its modulus and public exponent (unsigned, big-endian); NULL when they make none.
static inline EVP_PKEY *sb_rsa_public_key(const unsigned char *modulus, size_t modulus_length,
                                          const unsigned char *exponent, size_t exponent_length) {
    if (modulus_length > 2048 || exponent_length > 16) {
        return NULL;
    }
    EVP_PKEY *key = NULL;
    BIGNUM *n = BN_bin2bn(modulus, (int)modulus_length, NULL);
    BIGNUM *e = BN_bin2bn(exponent, (int)exponent_length, NULL);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    if (n != NULL && e != NULL && builder != NULL && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) == 1
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) == 1
        && (params = OSSL_PARAM_BLD_to_param(builder)) != NULL) {
        key = sb_public_key_from_params("RSA", params);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(builder);
    BN_free(n);
    BN_free(e);
    return key;
}

/// A P-256 public key from its point's coordinates (32 bytes each, big-endian); NULL when the point is not
/// on the curve.
static inline EVP_PKEY *sb_p256_public_key(const unsigned char x[32], const unsigned char y[32]) {
    unsigned char point[65];
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
        OSSL_PARAM_construct_end(),
    };
    return sb_public_key_from_params("EC", params);
}

/// What a public key can verify, for a JSON Web Token: 1 an RSA key of at least 2048 bits (RS256), 2 a P-256
/// key (ES256), 0 anything else.
static inline int sb_public_key_kind(EVP_PKEY *key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        return EVP_PKEY_get_bits(key) >= 2048 ? 1 : 0;
    case EVP_PKEY_EC: {
        char group[64];
        size_t length = 0;
        return EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1
            && strcmp(group, "prime256v1") == 0 ? 2 : 0;
    }
    default:
        return 0;
    }
}

/// Whether `signature` is `key`'s signature of `count` bytes under SHA-256: RSASSA-PKCS1-v1_5 for an RSA
/// key, ECDSA in DER for an EC key.
static inline int sb_verify_sha256(EVP_PKEY *key, const void *bytes, size_t count, const unsigned char *signature,
                                   size_t signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int ok = context != NULL && EVP_DigestVerifyInit(context, NULL, sb_sha256_algorithm(), NULL, key) == 1
        && EVP_DigestVerify(context, signature, signature_length, bytes, count) == 1;
    EVP_MD_CTX_free(context);
    if (!ok) {
        ERR_clear_error(); /* a signature that does not verify is an answer, not an error to keep */
    }
    return ok;
}

/// A JWS ECDSA P-256 signature (r then s, 32 bytes each) in the DER form OpenSSL verifies, into `der`
/// (72 bytes at most); returns its length, or -1.
static inline int sb_ecdsa_p256_der(const unsigned char raw[64], unsigned char der[80]) {
    ECDSA_SIG *signature = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL);
    BIGNUM *s = BN_bin2bn(raw + 32, 32, NULL);
    if (signature == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(signature, r, s) != 1) {
        ECDSA_SIG_free(signature);
        BN_free(r);
        BN_free(s);
        return -1;
    }
    unsigned char *out = der;
    int length = i2d_ECDSA_SIG(signature, &out); /* the signature owns r and s now */
    ECDSA_SIG_free(signature);
    return length > 0 && length <= 80 ? length : -1;
}

#endif
