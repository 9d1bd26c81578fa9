#ifndef RUNBOOK_ANONYMOUS_FILE_H
#define RUNBOOK_ANONYMOUS_FILE_H

/// A read-write file with no name, close-on-exec: a memfd (memory only, never written to a
/// disk), or, where memfd_create is not available, an O_TMPFILE file in `fallback_dir` (0600,
/// never linked into a folder). Returns the descriptor, or -1 with errno set.
int rb_anonymous_file(const char *name, const char *fallback_dir);

#endif
