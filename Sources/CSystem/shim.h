#ifndef SWITCHBOARD_CSYSTEM_SHIM_H
#define SWITCHBOARD_CSYSTEM_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

/* glibc declares these only under _GNU_SOURCE, which Swift's Glibc module does not set. */
extern int pipe2(int pipefd[2], int flags);
extern int close_range(unsigned int first, unsigned int last, int flags);
extern int fallocate(int fd, int mode, off_t offset, off_t len);

/// A pipe whose both ends are close-on-exec from the start, so no child spawned meanwhile inherits it.
static inline int sb_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/// Starts `path` with `argv` and `envp` and returns its pid, or -1 with `errno` set.
///
/// In the child, before `execve`: `directory` as its working directory unless it is NULL; SIGKILL when the calling thread ends (`PR_SET_PDEATHSIG`; the caller
/// keeps the thread until the child has been reaped, so the child dies with its parent process however
/// that ends, `kill -9` included); its own process group when `new_group`; `stdin_fd`, `stdout_fd` and
/// `stderr_fd` as descriptors 0, 1 and 2 (-1 keeps the parent's); no other descriptor; every signal at its
/// default action and unblocked. Only async-signal-safe calls run between `fork` and `execve`; signals are
/// blocked around `fork` so no handler of the parent runs in the child. A failed `execve` exits 127.
static inline pid_t sb_spawn(const char *path, char *const argv[], char *const envp[],
                             const char *directory, int stdin_fd, int stdout_fd, int stderr_fd,
                             int new_group) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
            _exit(127);
        }
        if (new_group && setpgid(0, 0) != 0) {
            _exit(127);
        }
        if (directory != NULL && chdir(directory) != 0) {
            _exit(127);
        }
        int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
        for (int target = 0; target < 3; target++) {
            if (fds[target] >= 0 && dup2(fds[target], target) < 0) {
                _exit(127);
            }
        }
        close_range(3, ~0U, 0);
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        for (int number = 1; number < NSIG; number++) {
            sigaction(number, &fallback, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    errno = saved;
    return pid;
}

/// A signal handler that does nothing: its only effect is to make a blocking call of the thread it
/// lands on return with EINTR.
static void sb_interrupt_handler(int number) {
    (void)number;
}

/// The signal that interrupts a thread's blocking wait (SIGUSR2), with the do-nothing handler installed
/// once, without SA_RESTART.
static inline int sb_interrupt_signal(void) {
    static int installed = 0;
    if (!__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL)) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = sb_interrupt_handler;
        sigemptyset(&action.sa_mask);
        sigaction(SIGUSR2, &action, NULL);
    }
    return SIGUSR2;
}

/// `flock(fd, LOCK_EX)` with the interrupt signal unblocked on this thread for the wait only (dispatch's
/// worker threads block it): returns 0, or -1 with errno EINTR once the thread is sent the signal.
static inline int sb_flock_interruptible(int fd) {
    sigset_t interrupt, previous;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, sb_interrupt_signal());
    pthread_sigmask(SIG_UNBLOCK, &interrupt, &previous);
    int result = flock(fd, LOCK_EX);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    errno = saved;
    return result;
}

/// Opens a new unnamed regular file in `directory` for writing (`O_TMPFILE`, whose name glibc gives only
/// under _GNU_SOURCE; `__O_TMPFILE` is its value): it never appears in the directory, and its space is
/// freed when it is closed, however the process ends. -1 with errno set when the filesystem cannot.
static inline int sb_open_unnamed_file(const char *directory) {
    return open(directory, __O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
}

/// Sends the interrupt signal to `thread`.
static inline int sb_interrupt_thread(pthread_t thread) {
    return pthread_kill(thread, sb_interrupt_signal());
}

#endif
