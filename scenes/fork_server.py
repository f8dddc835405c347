"""The first module a batch's fork server imports (scenes.batch.WORKER_PRELOAD): from here on the server ignores
SIGINT and SIGTERM, which a terminal's Ctrl-C or a `kill` of the command's process group sends to every process of
the command. The server needs neither: it ends when the command does (multiprocessing closes its pipe).

Without this, a Ctrl-C during the server's imports (the batch's first second) printed their traceback: the server
ignores SIGINT only once its imports are done. During the interpreter's own start-up, before any import, it was a
fatal error: so the command starts the server with both signals blocked (scenes.entry.signals_blocked), and the
server unblocks them here, once ignored (a signal that arrived meanwhile is dropped). And SIGTERM killed the server,
which the pool took for its workers' deaths: it gave up on them without sending them their stop, and a worker
waiting for its next clip waited forever, an orphan. The command's own handler stops the batch; each worker forked
from the server installs its own (scenes.entry.install_worker_interrupts) before its first clip."""

import signal

for _signal in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_signal, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
