"""The `gdviz` executable's first lines: SIGINT and SIGTERM become an interrupt, and warnings are kept off stderr,
before anything heavy is imported. A signal at any moment, start-up included, then ends the command the same way:
cleanup runs (temporary files go), one line says so, exit status 130.

While a C extension initialises (matplotlib's ft2font, Manim's cairo), an interrupt raised inside its import makes
it fail half-made and can crash the interpreter at exit (a fatal error, or exit status -2): so every import in the
command holds a signal until it is done, and raises it right after (`_hold_interrupts_over_imports`), wherever the
import comes from (a lazy one deep in a library's call included). `signals_deferred` holds one over other work that
must not stop half-done. An interrupt raised while a destructor runs (`Popen.__del__`, say) would be printed as
"Exception ignored" and lost: `_repost_lost_interrupt` delivers it again, from outside the destructor.
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import gc
import importlib.machinery
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

EXIT_INTERRUPTED = 130
REPOST_DELAY_S = 0.02  # an interrupt lost in a destructor is sent again this long after
_held: list[int] = []  # signals that arrived while deferred
_deferring = [0]  # depth of nested signals_deferred blocks
_idle = [False]  # a pool worker waiting between jobs: an interrupt is noted, not raised
_noted: list[int] = []  # signals that arrived while idle
_raised: list[int] = []  # signals raised as an interrupt in this process
_announced = [False]  # the command has said it was interrupted


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT or SIGTERM as Ctrl-C: a KeyboardInterrupt, which every `finally` and atomic write cleans up after;
    held instead while imports are deferring it, and noted while a pool worker waits for its next job."""
    if _deferring[0]:
        _held.append(signum)
        return
    _deliver(signum)


def _deliver(signum: int) -> None:
    """Raise the interrupt, or, in a pool worker waiting for its next job, note it."""
    if _idle[0]:
        _noted.append(signum)
        return
    _raised.append(signum)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _handling_signals() -> bool:
    """Whether this code runs where the command's own handler takes the signals (its main thread, the handler
    installed): not in a library caller's process, nor in a test's."""
    return threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is _interrupt


def announce_interrupted(unless_said: bool = False) -> None:
    """The command's one line about an interrupt; `unless_said`: not again if this process has said it (a second
    interrupt while the command was ending). From here on the command only exits (its cleanup ran as the interrupt
    unwound it): a later SIGINT or SIGTERM is ignored, or one landing on the way out could escape as an uncaught
    interrupt, and Python would end itself by SIGINT (exit status -2) instead of 130 (seen once in a full test run)."""
    if _handling_signals():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
    if not (unless_said and _announced[0]):
        _announced[0] = True
        sys.stderr.write("gdviz: interrupted\n")
        sys.stderr.flush()


def was_interrupted() -> bool:
    """Whether an interrupt has been raised in this process: an error after it may be the interrupt in disguise (a
    pybind11 call interrupted while converting its arguments reports a TypeError, 'Invoked with: ...')."""
    return bool(_raised)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Block SIGINT and SIGTERM in this thread during the block: a signal waits, and is delivered at its end. A
    process started inside it starts with both blocked too (the mask survives fork and exec), so a new interpreter's
    start-up cannot be interrupted half-done; it must unblock them itself (scenes.fork_server does)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _repost_lost_interrupt(unraisable: sys.UnraisableHookArgs) -> None:
    """Python ignores an exception raised inside a destructor; for our interrupt that would lose the signal. Send it
    to the main thread again, shortly, from a timer thread: by then the destructor (and this hook) have returned.
    Should it land in a destructor again, it comes back here and is sent once more."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    name = str(unraisable.exc_value) if str(unraisable.exc_value) in ("SIGINT", "SIGTERM") else "SIGINT"
    resend = threading.Timer(REPOST_DELAY_S, _thread.interrupt_main, args=(signal.Signals[name],))
    resend.daemon = True
    resend.start()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM during the block and raise the interrupt at its end (the last one held: one is enough).
    Does nothing unless the command installed this module's handler (so library callers and tests keep Python's
    own)."""
    ours = _handling_signals()
    _deferring[0] += ours
    try:
        yield
    finally:
        _deferring[0] -= ours
        if ours and not _deferring[0] and _held:
            signum = _held[-1]
            _held.clear()
            _deliver(signum)


# What runs a module's code as it is imported, for Python source (or its cached bytecode) and C extensions.
_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader,
            importlib.machinery.ExtensionFileLoader)


def _hold_interrupts_over_imports() -> None:
    """From here on, in this process, a module's import (its creation and its code) runs whole: an interrupt
    meanwhile is held and raised once it is done (`signals_deferred`)."""
    for loader in _LOADERS:
        for step in ("create_module", "exec_module"):
            method = getattr(loader, step)
            if not getattr(method, "holds_interrupts", False):
                setattr(loader, step, _holding_interrupts(method))


def _holding_interrupts(step: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(step)
    def held(*args: Any, **kwargs: Any) -> Any:
        with signals_deferred():
            return step(*args, **kwargs)

    held.holds_interrupts = True  # type: ignore[attr-defined]
    return held


def install_interrupts() -> None:
    """SIGINT and SIGTERM raise the interrupt from here on, in destructors too, never inside an import."""
    _hold_interrupts_over_imports()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    sys.unraisablehook = _repost_lost_interrupt


def install_worker_interrupts() -> None:
    """A pool worker's interrupts (scenes.batch): the command's, raised only inside `busy` blocks. A worker waiting
    for its next job is not torn down with a traceback; the job after the interrupt raises it at once."""
    install_interrupts()
    _idle[0] = True


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """A job in a pool worker: interrupts raise inside it (one noted while the worker waited, at its start)."""
    if _noted:
        raise KeyboardInterrupt(signal.Signals(_noted[-1]).name)
    _idle[0] = False
    try:
        yield
    finally:
        _idle[0] = True


def main() -> None:
    install_interrupts()
    try:
        import warnings

        # The library and the tests treat every warning as a bug (the suite runs with warnings as errors); the
        # command keeps any that slips through off the user's one-line stderr.
        warnings.simplefilter("ignore")
        from scenes.cli import cli  # (an interrupt meanwhile: raised once the import is done)
    except KeyboardInterrupt:
        announce_interrupted()
        sys.exit(EXIT_INTERRUPTED)
    try:
        cli()
    except KeyboardInterrupt:  # one more while the command was ending (an interrupt reposted from a destructor)
        announce_interrupted(unless_said=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:  # the command has ended (its exit status is set): a late signal must not turn it into a crash
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        # Nor should tearing the interpreter down take long: its garbage collections over every object Manim and
        # matplotlib made took 0.2-0.5 s after the last line. Exit handlers still run; objects in reference cycles
        # are left to the system, as they are when a process ends.
        gc.disable()
        gc.freeze()
