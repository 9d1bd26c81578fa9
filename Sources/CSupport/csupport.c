#define _GNU_SOURCE
#include "csupport.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int rb_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
             const char *dir, int in_fd, int out_fd, int err_fd, const char *tty_path, int new_group) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int rc = posix_spawnattr_init(&attr);
    if (rc != 0) return rc;
    rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) { posix_spawnattr_destroy(&attr); return rc; }

    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (tty_path) {
        flags |= POSIX_SPAWN_SETSID;
    } else if (new_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);

    if (dir) posix_spawn_file_actions_addchdir_np(&actions, dir);
    if (tty_path) {
        posix_spawn_file_actions_addopen(&actions, 0, tty_path, O_RDWR, 0);
        posix_spawn_file_actions_adddup2(&actions, 0, 1);
        posix_spawn_file_actions_adddup2(&actions, 0, 2);
    } else {
        if (in_fd != 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
        if (out_fd != 1) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
        if (err_fd != 2) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    }
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

static int signal_fd = -1;

static void on_signal(int sig) {
    int saved = errno;
    if (signal_fd >= 0) {
        unsigned char b = (unsigned char)sig;
        ssize_t ignored = write(signal_fd, &b, 1);
        (void)ignored;
    }
    errno = saved;
}

static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH};

void rb_install_signal_pipe(int write_fd) {
    signal_fd = write_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) sigaction(handled[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    /* Over a file size limit, write() fails with EFBIG and the journal reports it, instead of a core dump. */
    signal(SIGXFSZ, SIG_IGN);
}

void rb_restore_signals(void) {
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) signal(handled[i], SIG_DFL);
    signal_fd = -1;
}

int rb_set_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int rb_wifexited(int s) { return WIFEXITED(s); }
int rb_wexitstatus(int s) { return WEXITSTATUS(s); }
int rb_wifsignaled(int s) { return WIFSIGNALED(s); }
int rb_wtermsig(int s) { return WTERMSIG(s); }
int rb_wifstopped(int s) { return WIFSTOPPED(s); }
int rb_wstopsig(int s) { return WSTOPSIG(s); }
int rb_wcoredump(int s) { return WCOREDUMP(s); }

int rb_openpty(int *master, int *slave, char *name, size_t name_len, int size_from_fd) {
    struct winsize ws;
    struct winsize *wsp = NULL;
    if (size_from_fd >= 0 && ioctl(size_from_fd, TIOCGWINSZ, &ws) == 0) wsp = &ws;
    char buffer[128];
    if (openpty(master, slave, buffer, NULL, wsp) != 0) return errno;
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    fcntl(*slave, F_SETFD, FD_CLOEXEC);
    if (name && name_len > 0) {
        strncpy(name, buffer, name_len - 1);
        name[name_len - 1] = 0;
    }
    return 0;
}

void rb_copy_winsize(int from, int to) {
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

int rb_terminal_rows(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) return ws.ws_row;
    return 0;
}

int rb_terminal_cols(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
    return 0;
}

void *rb_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
