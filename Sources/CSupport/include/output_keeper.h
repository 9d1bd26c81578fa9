#ifndef RUNBOOK_OUTPUT_KEEPER_H
#define RUNBOOK_OUTPUT_KEEPER_H

/// Starts the output keeper: a small process, in a session of its own and not a child of the
/// runner, that is handed the read end of each running step's output pipe. While the runner lives
/// it only holds it; when the runner dies (its end of the socket closes), it reads the pipe to its
/// end and drops what it reads, so a step that prints is not killed by SIGPIPE at its next write
/// and runs on like one that does not print. Returns the runner's end of the socket (close-on-exec)
/// or -1 with errno set. Call it before the runner becomes a subreaper.
int rb_start_output_keeper(void);

/// Hands `fd` (a step's output pipe, read end) to the keeper; returns 0 or an errno value.
int rb_keeper_hold(int keeper, int fd);

/// Tells the keeper the step is over: it closes what it holds. Returns 0 or an errno value.
int rb_keeper_release(int keeper);

#endif
