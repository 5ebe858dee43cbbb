#ifndef SWITCHBOARD_CWEBSOCKETS_SHIM_H
#define SWITCHBOARD_CWEBSOCKETS_SHIM_H

#include <libwebsockets.h>

/* Function-like macros and 64-bit flag macros Swift does not import: one constant each. */

/// The headroom `lws_write` needs before the bytes it sends.
static inline size_t sb_lws_pre(void) { return LWS_PRE; }

/// Lets a context make TLS connections (it initialises OpenSSL once for the process).
static inline uint64_t sb_lws_option_ssl_global_init(void) { return LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT; }

/// A context that only connects out, listening on no port.
static inline int sb_lws_port_no_listen(void) { return CONTEXT_PORT_NO_LISTEN; }

#endif
