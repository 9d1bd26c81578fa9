#ifndef RUNBOOK_CSUPPORT_H
#define RUNBOOK_CSUPPORT_H

#include <sys/types.h>

/// Spawns `path` with `argv`/`envp` via posix_spawn.
/// - `dir`: working directory, or NULL.
/// - `tty_path`: when non-NULL, the child starts a new session and opens this
///   terminal as fds 0, 1 and 2 (it becomes the controlling terminal);
///   otherwise fds 0/1/2 are dup'd from `in_fd`, `out_fd`, `err_fd` (skipped
///   when the fd already is 0/1/2) and, when `new_group` is non-zero, the child
///   gets its own process group.
/// Signal mask emptied and signal dispositions reset to default in the child.
/// Returns 0 or an errno value.
int rb_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
             const char *dir, int in_fd, int out_fd, int err_fd, const char *tty_path, int new_group);

/// Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD and SIGWINCH
/// that write the signal number as one byte to `write_fd` (a non-blocking pipe).
/// SIGPIPE, SIGTTOU, SIGTTIN and SIGXFSZ are ignored in the runner.
void rb_install_signal_pipe(int write_fd);

/// Restores default dispositions for the signals above.
void rb_restore_signals(void);

/// Marks the calling process as a child subreaper (Linux); returns 0 or -1.
int rb_set_subreaper(void);

int rb_wifexited(int status);
int rb_wexitstatus(int status);
int rb_wifsignaled(int status);
int rb_wtermsig(int status);
int rb_wifstopped(int status);
int rb_wstopsig(int status);
int rb_wcoredump(int status);

/// Opens a pseudo-terminal pair; the master is close-on-exec. Copies the
/// window size of `size_from_fd` when it is a terminal. Returns 0 or errno.
int rb_openpty(int *master, int *slave, char *name, size_t name_len, int size_from_fd);

/// Copies the window size of terminal `from` to `to`.
void rb_copy_winsize(int from, int to);

/// Terminal rows of `fd`, or 0.
int rb_terminal_rows(int fd);
/// Terminal columns of `fd`, or 0.
int rb_terminal_cols(int fd);

/// glibc's memmem (hidden from Swift behind _GNU_SOURCE).
void *rb_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

#endif
