#ifndef SWITCHBOARD_CSYSTEM_SHIM_H
#define SWITCHBOARD_CSYSTEM_SHIM_H

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

/* glibc declares these only under _GNU_SOURCE, which Swift's Glibc module does not set. */
extern int pipe2(int pipefd[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// A pipe whose both ends are close-on-exec from the start, so no child spawned meanwhile inherits it.
static inline int sb_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/// Makes the spawned child close every descriptor from `from` up (glibc 2.34 and later).
static inline int sb_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

#endif
