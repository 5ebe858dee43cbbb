#ifndef SWITCHBOARD_CMICROHTTPD_SHIM_H
#define SWITCHBOARD_CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

/// How a daemon is started: `sb_mhd_start`'s options, named.
struct sb_mhd_settings {
    /// A socket already bound and listening (the caller binds it, to report exactly why an address
    /// cannot be used); the daemon owns it once started.
    int listen_fd;
    /// Whether that socket is IPv6.
    int ipv6;
    /// Threads in the polling pool.
    unsigned int threads;
    /// Connections open at once, over the whole pool.
    unsigned int connection_limit;
    /// Connections open at once from one client address; 0 for no limit.
    unsigned int per_address_limit;
    /// A connection without activity this long is closed.
    unsigned int timeout_seconds;
};

/// Starts a daemon on `settings->listen_fd` with its own polling threads (epoll, through MHD_USE_AUTO),
/// suspend/resume allowed; `handler` answers requests, `completed` hears when each ends, and `notify`
/// when each connection opens and closes. MHD_start_daemon takes its options as C varargs, which Swift
/// cannot pass: this shim passes them.
static inline struct MHD_Daemon *sb_mhd_start(
    const struct sb_mhd_settings *settings, MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, void *completed_context, MHD_NotifyConnectionCallback notify,
    void *notify_context) {
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    if (settings->ipv6) {
        flags |= MHD_USE_IPv6;
    }
    return MHD_start_daemon(
        flags, 0, NULL, NULL, handler, handler_context,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)settings->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, settings->threads,
        MHD_OPTION_CONNECTION_LIMIT, settings->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, settings->per_address_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, settings->timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_NOTIFY_CONNECTION, notify, notify_context,
        MHD_OPTION_END);
}

/// Whether the daemon polls with epoll (MHD_USE_AUTO's choice on Linux), which watches any number of
/// connections; select() would stop at 1,024 descriptors.
static inline int sb_mhd_uses_epoll(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_FLAGS);
    return info != NULL && (info->flags & MHD_USE_EPOLL) != 0;
}

/// A connection's socket; -1 when libmicrohttpd does not say.
static inline int sb_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int)info->connect_fd;
}

/// The address of the client at the other end of `connection` (an IPv4 or IPv6 socket address), or NULL.
/// MHD_get_connection_info is variadic, which Swift cannot call: this shim calls it.
static inline const struct sockaddr *sb_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

#endif
