#define _GNU_SOURCE
#include "anonymous_file.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int rb_anonymous_file(const char *name, const char *fallback_dir) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd >= 0) return fd;
    if (fallback_dir == NULL) return -1;
    return open(fallback_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}
