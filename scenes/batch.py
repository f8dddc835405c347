"""A whole lecture's clips from one TOML file: every clip checked before any renders, then rendered N at a time in
separate processes (or as tasks on a Dask distributed cluster), each with its record, skipped when up to date.

    [defaults]                 # optional: options every clip starts from
    dataset = "plane"
    [[clip]]
    name = "diverge"           # optional: the file stem (default: the naming rule's)
    title = "Too large a rate" # optional: the slide's title
    scene = "dashboard"
    lr = 0.8                   # render's options by their CLI names; a list where the CLI repeats one
"""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gdcore.cluster import connect
from gdcore.errors import GdvizInputError, closest_hint, refusal_in, refusal_text
from gdcore.options import DataOptions, RunOptions
from scenes.encoder import remove_leftovers
from scenes.entry import busy, install_worker_interrupts, signals_blocked, signals_deferred
from scenes.jobs import Job, Recorded, RecordIndex, drawn_pixels, plan_job, render_job
from scenes.registry import SCENES

# The TOML types each option takes (a list where the CLI repeats it); int where a float is asked is fine.
_RENDER_TYPES: dict[str, tuple[type, ...]] = {
    "scene": (str,), "engine": (str,), "format": (str, list), "size": (str,), "quality": (str,), "fps": (int, float),
    "duration": (int, float), "time": (str,), "theme": (str,), "rotate": (bool,), "out": (str,), "name": (str,),
    "title": (str,), "steps": (int,), "max_size": (str, int), "theory": (bool,), "gif_width": (int,),
}
# A clip's likely CPU seconds per million pixels drawn (scenes.jobs.drawn_pixels), by engine and scene, for ordering
# the clips longest first: measured with `benchmarks/batch.py --costs` (854×480, 3 s, MP4; the mean of two runs on the
# 2-core machine, which differed by up to 30 %). A scene not listed costs its engine's typical (median) scene's.
SECONDS_PER_MEGAPIXEL: dict[tuple[str, str], float] = {
    ("matplotlib", "dashboard"): 0.055, ("matplotlib", "line"): 0.040, ("matplotlib", "contour"): 0.026,
    ("matplotlib", "surface"): 0.032, ("matplotlib", "loss"): 0.029, ("matplotlib", "modes"): 0.039,
    ("matplotlib", "race"): 0.046, ("matplotlib", "scaling"): 0.041, ("matplotlib", "sweep"): 0.067,
    ("matplotlib", "regimes"): 0.16, ("matplotlib", "compare"): 0.083,
    ("manim", "line"): 0.051, ("manim", "contour"): 0.078, ("manim", "surface"): 0.20, ("manim", "modes"): 0.085,
    ("manim", "race"): 0.14, ("manim", "scaling"): 0.12, ("manim", "sweep"): 0.30, ("manim", "update-rule"): 0.46,
    ("manim", "regimes"): 0.38,
}
TYPICAL_SECONDS_PER_MEGAPIXEL = {"matplotlib": 0.041, "manim": 0.13}
# What a fork server imports before it forks the workers: first what makes it ignore the command's interrupts
# (scenes.fork_server), then gdviz and the matplotlib engine, both always installed. Not Manim, an optional extra:
# should its import fail in a way other than ImportError it would take the server, and every clip, down with it; a
# worker imports it when its first Manim clip needs it.
WORKER_PRELOAD = ("scenes.fork_server", "scenes.batch", "scenes.render")
_DECLARED_TYPES = {"float | None": (int, float), "int | None": (int,), "str | None": (str,), "str": (str,),
                   "bool": (bool,)}


def _option_types() -> dict[str, tuple[type, ...]]:
    from dataclasses import fields

    types = dict(_RENDER_TYPES)
    for options in (DataOptions, RunOptions):
        for option in fields(options):
            types[option.name] = _DECLARED_TYPES[str(option.type)]
    types["lr"] = (int, float, list)
    types["optimizer"] = (str, list)
    return types


OPTION_TYPES = _option_types()
KEYS: tuple[str, ...] = tuple(name.replace("_", "-") for name in OPTION_TYPES)


@dataclass(frozen=True)
class Clip:
    """One [[clip]] of a lecture file: its number (from 1), its options (defaults merged in) and its label."""

    number: int
    options: Mapping[str, Any] = field(repr=False)
    problem: str | None = None  # an unknown key or a value of the wrong type: the clip is skipped

    @property
    def label(self) -> str:
        """'clip 3 "diverge"' or 'clip 3 (dashboard)'."""
        name, scene = self.options.get("name"), self.options.get("scene", "dashboard")
        return f'clip {self.number} "{name}"' if name else f"clip {self.number} ({scene})"


@dataclass(frozen=True)
class Checked:
    """A clip and what checking it found: its job, or the one-line reason it cannot render, or the record of an
    earlier render that stands for it (then it is planned only if its job is asked for: --force, --dry-run)."""

    clip: Clip
    planned: Job | None = None
    error: str | None = None
    recorded: Recorded | None = None

    @functools.cached_property
    def job(self) -> Job | None:
        """The clip's job: planned when checked, or now for a clip its record vouched for; None for a bad clip."""
        if self.planned is not None or self.recorded is None:
            return self.planned
        return plan_job(self.clip.options)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files the clip writes (or wrote): its job's, or those its record lists."""
        if self.recorded is not None:
            return self.recorded.paths
        return tuple(self.planned.paths.values()) if self.planned is not None else ()


@dataclass(frozen=True)
class Outcome:
    """What rendering one clip did: the files (path, bytes), the seconds it took, or the error."""

    clip: Clip
    files: tuple[tuple[str, int], ...] = ()
    seconds: float = 0.0
    error: str | None = None


def read_lecture(path: str | Path) -> list[Clip]:
    """The clips of a lecture file, each with [defaults] merged in; a one-line error naming the file, the clip and
    the key or value for anything malformed."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as file:
            lecture = tomllib.load(file)
    except OSError as error:
        raise GdvizInputError(f"lecture file {path}: cannot read it ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GdvizInputError(f"lecture file {path}: not TOML ({error})") from None
    unknown = [key for key in lecture if key not in ("defaults", "clip")]
    if unknown:
        raise GdvizInputError(f"lecture file {path}: unknown table {unknown[0]!r}: it has [defaults] and [[clip]]"
                              f"{closest_hint(unknown[0], ('defaults', 'clip'))}")
    defaults, clips = lecture.get("defaults", {}), lecture.get("clip", [])
    if not isinstance(defaults, dict) or not isinstance(clips, list) or not clips:
        raise GdvizInputError(f"lecture file {path}: needs at least one [[clip]] table (and at most one [defaults])")
    problem = _table_problem(defaults)
    if problem is not None:
        raise GdvizInputError(f"lecture file {path}, [defaults]: {problem}")
    return [Clip(number, {**defaults, **clip}, _table_problem(clip) if isinstance(clip, dict) else "not a table")
            for number, clip in enumerate(clips, start=1)]


def _table_problem(table: Mapping[str, Any]) -> str | None:
    """What is wrong with a table's keys or values (the first thing), or None."""
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in OPTION_TYPES:
            return f"unknown key {key!r}{closest_hint(key.replace('_', '-'), KEYS)}"
        expected = OPTION_TYPES[name]
        wrong = (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected)
        if isinstance(value, list):
            item_types = tuple(kind for kind in expected if kind is not list)
            wrong = list not in expected or not value or not all(
                isinstance(item, item_types) and not isinstance(item, bool) for item in value)
        if wrong:
            kinds = " or ".join(sorted({_type_name(kind) for kind in expected}))
            return f"{key} = {value!r} should be {kinds}"
    return None


def _type_name(kind: type) -> str:
    return {int: "a number", float: "a number", str: "a string", bool: "true or false", list: "a list"}[kind]


def check_clips(clips: Sequence[Clip], out: str | None = None,
                before_planning: Callable[[], None] = lambda: None) -> list[Checked]:
    """Every clip checked before any renders: one an earlier render's record stands for (same version, options
    and data, files there) by its record alone, with no run trained; every other planned (its data built, its runs
    trained), `before_planning` called first (the batch starts its workers' fork server there: see
    workers_warm_up). Two clips writing the same file are an error for the second."""
    checked: list[Checked] = []
    claimed: dict[Path, Clip] = {}
    records = RecordIndex()
    for clip in clips:
        if clip.problem is not None:
            checked.append(Checked(clip, error=clip.problem))
            continue
        options = dict(clip.options) | ({"out": out} if out is not None else {})
        item = _checked(Clip(clip.number, options), records, before_planning)
        clash = next((claimed[path] for path in item.paths if path in claimed), None)
        if clash is not None:
            item = Checked(clip, error=f"writes the same files as {clash.label}: give it a `name`")
        claimed |= dict.fromkeys(item.paths, clip)
        checked.append(item)
    return checked


def _checked(clip: Clip, records: RecordIndex, before_planning: Callable[[], None]) -> Checked:
    """The clip vouched for by a record, else planned, else the one-line reason it cannot render."""
    recorded = records.find(clip.options)
    if recorded is not None:
        return Checked(clip, recorded=recorded)
    before_planning()
    try:
        return Checked(clip, plan_job(clip.options))
    except GdvizInputError as error:
        return Checked(clip, error=str(error))


def render_clip(options: Mapping[str, Any]) -> tuple[tuple[tuple[str, int], ...], float]:
    """Plan and render one clip (in a worker process or a Dask task); returns its files (path, bytes) and seconds."""
    start = time.perf_counter()
    try:
        written = render_job(plan_job(options))
    except Exception as error:
        refusal = refusal_in(error)
        if refusal is None:
            raise
        raise refusal from None  # itself: what wraps it crosses from a worker without its cause
    return tuple((str(file.path), file.size_bytes) for file in written), time.perf_counter() - start


def render_clips(clips: Sequence[Clip], jobs: int, scheduler: str | None = None,
                 paths: Mapping[int, Sequence[Path]] = {}) -> Iterator[Outcome]:
    """Render the clips, `jobs` at a time in separate processes, or on the Dask scheduler (an address, or 'local'
    for a LocalCluster of `jobs` workers); yields each outcome as it finishes. `paths`: the files each clip (by its
    number) writes, whose leftovers are removed should its worker process die."""
    if jobs > 1:  # the longest first: the last clips to start are short, so no worker idles long at the end
        clips = sorted(clips, key=_expected_cost, reverse=True)
    if scheduler is not None:
        yield from _on_dask(clips, jobs, scheduler, paths)
        return
    if jobs == 1:
        for clip in clips:
            yield _outcome(clip, lambda clip=clip: render_clip(clip.options))
        return
    yield from _on_workers(clips, jobs, paths)


WORKER_DIED = "its worker process ended abruptly (killed, perhaps for want of memory); the other clips go on"


def _on_workers(clips: Sequence[Clip], jobs: int, paths: Mapping[int, Sequence[Path]]) -> Iterator[Outcome]:
    """Render the clips in order on `jobs` worker processes, each a pool of its own, so that a worker that dies
    (killed, out of memory) takes only its own clip down: that clip fails, what it had begun to write is removed
    and a new worker takes the dead one's place. (In one pool of `jobs` workers, one dying fails every clip, those
    the others were rendering too.)"""
    context = worker_context()
    pools: list[concurrent.futures.ProcessPoolExecutor] = []
    remaining = list(clips)
    running: dict[concurrent.futures.Future[Any], tuple[concurrent.futures.ProcessPoolExecutor, Clip]] = {}

    def new_worker() -> concurrent.futures.ProcessPoolExecutor:
        # Workers take the command's interrupt handling (scenes.entry): SIGINT and SIGTERM held over any import
        # (Manim's cairo), raised only while a clip renders (so it cleans up after itself), never in a waiting worker.
        pools.append(concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context,
                                                            initializer=install_worker_interrupts))
        return pools[-1]

    def start(worker: concurrent.futures.ProcessPoolExecutor) -> None:
        clip = remaining.pop(0)
        running[worker.submit(_render_in_worker, dict(clip.options))] = worker, clip

    try:
        with signals_deferred():  # a first clip starts its worker: each is its pool's before an interrupt ends it
            start_fork_server(context)
            for _ in range(min(jobs, len(remaining))):
                start(new_worker())
        while running:
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                worker, clip = running.pop(future)
                error = future.exception()
                died = isinstance(error, BrokenProcessPool)
                if died:
                    remove_leftovers(paths.get(clip.number, ()))
                if remaining and (error is None or isinstance(error, Exception)):  # not interrupted
                    with signals_deferred():
                        start(new_worker() if died else worker)
                yield Outcome(clip, error=WORKER_DIED) if died else _outcome(clip, future.result)
    finally:  # interrupted: no other clip starts; those running end (Ctrl-C interrupts them too), files whole
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


_worker_interrupted = [False]  # in a pool worker: an interrupt has reached it


def _render_in_worker(options: Mapping[str, Any]) -> tuple[tuple[tuple[str, int], ...], float]:
    """render_clip in a pool worker. Once interrupted (Ctrl-C reaches every process of the command), a worker
    renders nothing more: a clip already queued to it, which cancelling cannot reach, ends at once."""
    if _worker_interrupted[0]:
        raise KeyboardInterrupt("interrupted")
    try:
        with busy():
            return render_clip(options)
    except KeyboardInterrupt:
        _worker_interrupted[0] = True
        raise


def worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start. Where the platform has it, a fork server: one fresh interpreter (no state
    inherited from this one) imports WORKER_PRELOAD once and forks each worker from itself, so workers start with it
    loaded and end without tearing it down. Elsewhere each worker is spawned fresh."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return context


def workers_warm_up(jobs: int, scheduler: str | None) -> Callable[[], None]:
    """What starts the workers' fork server early, for a batch that renders `jobs` clips at once on this machine
    (else nothing): called as the first clip that needs rendering is found, so the server's imports (about 0.8 s)
    overlap the other clips' checks instead of following them. A batch with nothing to render starts no server: one
    still importing would hold the command's output open."""
    if jobs < 2 or scheduler is not None:
        return lambda: None
    return functools.cache(_start_fork_server_deferring_signals)


def _start_fork_server_deferring_signals() -> None:
    with signals_deferred():  # an interrupt meanwhile is raised once the server has started
        start_fork_server(worker_context())


def start_fork_server(context: multiprocessing.context.BaseContext) -> None:
    """Start the context's fork server, if it has one, with SIGINT and SIGTERM blocked: a Ctrl-C cannot then catch
    its interpreter half-started, a fatal error printed to the terminal (the server unblocks them once it ignores
    them: scenes.fork_server). multiprocessing's resource tracker starts first: starting, it unblocks both signals in
    this process, which would undo the block."""
    if context.get_start_method() != "forkserver":
        return
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    multiprocessing.resource_tracker.ensure_running()
    with signals_blocked():
        multiprocessing.forkserver.ensure_running()


def _engine(clip: Clip) -> str:
    spec = SCENES.get(str(clip.options.get("scene", "dashboard")))
    return str(clip.options.get("engine") or (spec.default_engine if spec is not None else "matplotlib"))


def _expected_cost(clip: Clip) -> float:
    """A clip's likely CPU seconds, for ordering: the pixels it draws times its scene's measured cost per pixel."""
    engine, scene = _engine(clip), str(clip.options.get("scene", "dashboard"))
    per_megapixel = SECONDS_PER_MEGAPIXEL.get((engine, scene), TYPICAL_SECONDS_PER_MEGAPIXEL.get(engine, 0.0))
    return per_megapixel * drawn_pixels(clip.options) / 1e6


def _outcome(clip: Clip, result: Callable[[], tuple[tuple[tuple[str, int], ...], float]]) -> Outcome:
    try:
        files, seconds = result()
    except GdvizInputError as error:
        return Outcome(clip, error=str(error))
    except OSError as error:  # the system refused (a full disk): render_clip hands over the refusal itself
        return Outcome(clip, error=refusal_text(error))
    except Exception as error:  # a failed render is reported with its clip; the others go on
        return Outcome(clip, error=f"{type(error).__name__}: {' '.join(str(error).split())[:300]}")
    return Outcome(clip, files, seconds)


def _on_dask(clips: Sequence[Clip], jobs: int, scheduler: str, paths: Mapping[int, Sequence[Path]]
             ) -> Iterator[Outcome]:
    """Render the clips as tasks of the Dask cluster. A clip whose worker died Dask runs again on another (up to
    its `allowed-failures`); what the dead attempt had begun to write is removed once the clip is done."""
    client, cluster = connect(scheduler, jobs)
    try:
        from distributed import as_completed

        futures = {client.submit(render_clip, dict(clip.options), pure=False, key=f"gdviz-clip-{clip.number}"): clip
                   for clip in clips}
        for future in as_completed(list(futures)):
            remove_leftovers(paths.get(futures[future].number, ()))
            yield _outcome(futures[future], future.result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def pending(checked: Sequence[Checked], force: bool) -> tuple[list[Clip], list[Clip]]:
    """The clips to render and those up to date (a record stands for them: see check_clips); bad clips in neither."""
    todo, fresh = [], []
    for item in checked:
        if item.error is None:
            (todo if force or item.recorded is None else fresh).append(item.clip)
    return todo, fresh

