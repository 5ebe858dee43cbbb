#ifndef SWITCHBOARD_CCRYPTO_SHIM_H
#define SWITCHBOARD_CCRYPTO_SHIM_H

#include <openssl/evp.h>

/// SHA-256 of `count` bytes into `digest` (32 bytes); returns 1 on success.
static inline int sb_sha256(const void *bytes, size_t count, unsigned char digest[32]) {
    unsigned int length = 0;
    return EVP_Digest(bytes, count, digest, &length, EVP_sha256(), NULL) == 1 && length == 32;
}

#endif
