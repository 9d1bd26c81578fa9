#define _GNU_SOURCE
#include "output_keeper.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// Only async-signal-safe calls after fork: the runner has threads.
static void keeper_main(int sock) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH, SIGPIPE, SIGTTOU, SIGTTIN, SIGXFSZ};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    if (sock != 3) {
        dup2(sock, 3);
        sock = 3;
    }
    // Nothing of the runner's (its lock, a step's pipe, the journal) may stay open here.
    close_range(4, ~0U, 0);
    int held = -1;
    for (;;) {
        char byte = 0;
        char control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the runner is gone
        if (held >= 0) close(held);
        held = -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (byte == 'H' && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&held, CMSG_DATA(c), sizeof(int));
    }
    if (held >= 0) {
        // The runner read it without blocking; the description is shared, and the runner is gone.
        fcntl(held, F_SETFL, fcntl(held, F_GETFL) & ~O_NONBLOCK);
        char buffer[65536];
        for (;;) {
            ssize_t r = read(held, buffer, sizeof buffer);
            if (r == 0 || (r < 0 && errno != EINTR)) break;
        }
    }
    _exit(0);
}

int rb_start_output_keeper(void) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(pair[0]);
        close(pair[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        // A session of its own (no terminal signals), and not the runner's child: the runner's
        // reaping and leftover sweeps never see it.
        setsid();
        if (fork() != 0) _exit(0);
        close(pair[0]);
        keeper_main(pair[1]);
    }
    close(pair[1]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return pair[0];
}

static int keeper_send(int keeper, char byte, int fd) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    for (;;) {
        if (sendmsg(keeper, &msg, MSG_NOSIGNAL) >= 0) return 0;
        if (errno != EINTR) return errno;
    }
}

int rb_keeper_hold(int keeper, int fd) { return keeper_send(keeper, 'H', fd); }

int rb_keeper_release(int keeper) { return keeper_send(keeper, 'R', -1); }
