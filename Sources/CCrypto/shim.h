#ifndef SWITCHBOARD_CCRYPTO_SHIM_H
#define SWITCHBOARD_CCRYPTO_SHIM_H

#include <openssl/evp.h>

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

#endif
