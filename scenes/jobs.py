"""One render as data: the options of `gdviz render` (by their names, dashes as underscores), checked and resolved
into a `Job`, rendered by its engine, and recorded in `STEM.json` beside its files.

The CLI, `gdviz render --from RECORD.json` and `gdviz batch` all go through here, so a clip of a lecture file, a
command line and a record render the same frames.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from gdcore.datasets import Dataset
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.experiment import Experiment
from gdcore.frames import plan_frames
from gdcore.options import (
    DATA_OPTION_NAMES,
    RUN_OPTION_NAMES,
    DataOptions,
    RunOptions,
    build_dataset,
    default_of,
    split_options,
)
from gdcore.reports import json_number
from scenes.captions import run_regime
from scenes.naming import DEFAULT_DURATION, DEFAULT_FPS, output_stem, picture_settings
from scenes.registry import (
    DEFAULT_STEPS,
    ENGINES,
    MAX_SIDE,
    MAX_STEPS,
    MIN_SIDE,
    SceneSpec,
    parse_size,
    scene_runs,
    scene_spec,
)
from scenes.theme import THEME_NAMES

FORMAT_ALIASES = {"both": ("mp4", "gif")}  # the first releases' spelling of mp4,gif
TIME_SCALES = ("log", "linear")
RECORD_VERSION = 1
# The render options beside the data and run options, with their defaults. lr and optimizer are lists here (a
# scene may compare several); `name` sets the file stem (default: scenes.naming's), `title` is for slides; `steps` is
# update-rule's (how many steps it writes out; None: the scene's own 3).
RENDER_OPTIONS: dict[str, Any] = {
    "scene": "dashboard", "engine": None, "format": (), "size": None, "quality": None, "fps": None,
    "duration": DEFAULT_DURATION, "time": "log", "theme": "light", "rotate": False, "out": "output", "name": None,
    "title": None, "steps": None, "max_size": None, "theory": True, "gif_width": None,
}
REPEATED = ("lr", "optimizer", "format")
OPTION_NAMES: tuple[str, ...] = (*RENDER_OPTIONS, *DATA_OPTION_NAMES, *RUN_OPTION_NAMES)

Progress = Callable[[int], None]


def package_version() -> str:
    try:
        return version("gdviz")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Job:
    """A render, resolved: the scene and engine, the output's formats, size and timing, the runs, where it lands."""

    spec: SceneSpec
    engine: str
    formats: tuple[str, ...]
    size: tuple[int, int]
    fps: float
    duration: float
    time: str
    theme: str
    rotate: bool
    steps: int | None  # update-rule's steps written out; None: the scene's default
    theory: bool  # gd's exact path drawn faint beside the run's
    gif_width: int | None  # None: scenes.render's default (720 px, or the frame's width when narrower)
    folder: Path
    stem: str
    experiments: tuple[Experiment, ...]
    options: Mapping[str, Any]  # every option, defaults filled in: what the record keeps
    budgets: Mapping[str, int] = field(default_factory=dict)  # format → the most bytes its file may take

    @property
    def paths(self) -> dict[str, Path]:
        return {fmt: self.folder / f"{self.stem}.{fmt}" for fmt in self.formats}

    @property
    def record_path(self) -> Path:
        return self.folder / f"{self.stem}.json"


def normalized_options(given: Mapping[str, Any]) -> dict[str, Any]:
    """Every option of a render (CLI names with dashes or underscores), defaults filled in, repeated ones as
    tuples; an unknown one is an error naming the closest."""
    options: dict[str, Any] = dict(RENDER_OPTIONS)
    options |= {name: default_of(DataOptions, name) for name in DATA_OPTION_NAMES}
    options |= {name: default_of(RunOptions, name) for name in RUN_OPTION_NAMES} | {"lr": (), "optimizer": ()}
    for key, value in given.items():
        name = key.replace("-", "_")
        if name not in options:
            known = tuple(option.replace("_", "-") for option in OPTION_NAMES)
            raise GdvizInputError(f"unknown option {key!r}{closest_hint(key.replace('_', '-'), known)}")
        if name in REPEATED:
            value = tuple(value) if isinstance(value, (list, tuple)) else () if value is None else (value,)
        options[name] = value
    return options


def plan_job(given: Mapping[str, Any]) -> Job:
    """Check every option and build the runs, before anything is drawn or written: bad input is one line here."""
    options = normalized_options(given)
    spec = scene_spec(str(options["scene"]))
    engine = spec.check_engine(options["engine"] or spec.default_engine)
    if options["rotate"]:
        spec.check_option(engine, "rotate")
    steps = _checked_steps(options["steps"])
    if steps is not None:
        spec.check_option(engine, "steps")
    formats = _formats(options["format"], engine)
    _choice("theme", options["theme"], THEME_NAMES)
    _choice("time", options["time"], TIME_SCALES)
    size, quality_fps = _frame_size(options["size"], options["quality"], engine)
    fps = float(options["fps"] if options["fps"] is not None else quality_fps or DEFAULT_FPS)
    plan_frames(1, fps, options["duration"], options["time"])  # bad timing: one line before any work
    data, run, rates, optimizers = _run_options(options)
    dataset = build_dataset(data)
    experiments = tuple(scene_runs(spec, dataset, run, rates, data.seed, optimizers))
    budgets = _budgets(options["max_size"], formats, engine)
    gif_width = _gif_width(options["gif_width"], engine, formats)
    chosen = picture_settings(engine, size, fps, options["duration"], options["time"], bool(options["rotate"]),
                              gif_width, bool(options["theory"]))
    chosen |= {"max_size": budgets} if options["max_size"] is not None else {}
    if steps not in (None, DEFAULT_STEPS):
        chosen["steps"] = steps  # a stem of its own: 2 and 5 steps are different clips
    stem = _checked_name(options["name"]) or output_stem(spec.name, experiments, engine, options["theme"], chosen)
    if gif_width is None and options["size"] is not None:  # --size sets every format's size
        gif_width = size[0]
    return Job(spec, engine, formats, size, fps, float(options["duration"]), options["time"], options["theme"],
               bool(options["rotate"]), steps, bool(options["theory"]), gif_width, Path(options["out"]) / dataset.name,
               stem, experiments, options, budgets)


def drawn_pixels(given: Mapping[str, Any]) -> float:
    """Roughly the pixels a render draws, resolved from its options as plan_job resolves them without building
    any run: width × height × fps × duration, once per animated file matplotlib draws (Manim draws its movie once
    and makes the other formats from it); one frame for a still. For ordering work by its likely cost: options
    plan_job would refuse count as 0."""
    from scenes.encoder import FIGURE_FORMATS  # already imported once any clip is planned (its size budget)

    try:
        options = normalized_options(given)
        spec = scene_spec(str(options["scene"]))
        engine = spec.check_engine(options["engine"] or spec.default_engine)
        formats = _formats(options["format"], engine)
        (width, height), quality_fps = _frame_size(options["size"], options["quality"], engine)
        fps = float(options["fps"] if options["fps"] is not None else quality_fps or DEFAULT_FPS)
        animated = len([fmt for fmt in formats if fmt not in FIGURE_FORMATS])
        frames = fps * float(options["duration"]) * (1 if engine == "manim" else animated)
    except (GdvizInputError, TypeError, ValueError):
        return 0.0
    return float(width * height) * max(frames, 1.0)


def render_job(job: Job, progress: Progress | None = None) -> list[Any]:
    """Render the job with its engine, then write its record beside the files; returns the files written."""
    experiments = list(job.experiments)
    if job.engine == "manim":
        from scenes.manim.render import ManimSettings, render_manim

        written = render_manim(job.spec, experiments, ManimSettings(
            formats=job.formats, size=job.size, fps=job.fps, duration=job.duration, time=job.time, theme=job.theme,
            out_dir=job.folder.parent, stem=job.stem, steps=job.steps, theory=job.theory))
    else:
        from scenes.render import render

        written = render(experiments, render_settings(job), progress)
    write_record(job, written)
    return written


def render_settings(job: Job) -> Any:
    """The matplotlib engine's scenes.render.RenderSettings for the job."""
    from scenes.mpl.layouts import Look
    from scenes.render import RenderSettings

    return RenderSettings(scene=job.spec.name, formats=job.formats,
                          look=Look(*job.size, theme=job.theme, rotate=job.rotate, theory=job.theory), fps=job.fps,
                          duration=job.duration, time=job.time, out_dir=job.folder.parent, gif_width=job.gif_width,
                          stem=job.stem, budgets=job.budgets)


def legibility_warning(job: Job) -> str | None:
    """One line when a matplotlib frame is a thumbnail (short side under 360 px): its text falls under 10 px; or
    when a Manim frame is square or portrait: its landscape composition fills only a band across the middle. The
    frames still render; the CLI prints this line on stderr."""
    if job.engine == "manim":
        return _band_warning(job.size, "matplotlib" in job.spec.engines)
    if job.engine != "matplotlib":
        return None
    from scenes.mpl.layouts import LEGIBLE_SHORT_SIDE, MIN_TEXT_PIXELS, under_text_floor
    from scenes.render import passes

    settings = render_settings(job)
    looks = [look for look, _ in passes(settings)] + ([settings.look] if "png" in job.formats else [])
    small = [f"{look.width}x{look.height}" for look in dict.fromkeys(looks) if under_text_floor(look)]
    if not small:
        return None
    return (f"{' and '.join(small)}: text falls under {MIN_TEXT_PIXELS:g} px (legible from a short side of "
            f"{LEGIBLE_SHORT_SIDE} px)")


def _band_warning(size: tuple[int, int], matplotlib_too: bool) -> str | None:
    from scenes.manim.render import BAND_WARNING_BELOW, band_height

    width, height = size
    if band_height(size) >= BAND_WARNING_BELOW * height:
        return None
    other = " (the matplotlib engine lays square and portrait frames out)" if matplotlib_too else ""
    return (f"{width}x{height}: the manim scenes are composed for landscape frames: this one shows the picture in a "
            f"{width}x{band_height(size)} band across the middle{other}")


def frame_count(job: Job) -> int:
    """Frames the matplotlib engine draws for the job, every pass counted (an MP4 and a GIF of different sizes
    are drawn separately); 0 for a still, or for Manim, which draws its own."""
    if job.engine != "matplotlib" or job.formats == ("png",):
        return 0
    from scenes.render import clock, passes

    return clock(job.experiments, job.fps, job.duration, job.time).n_frames * len(passes(render_settings(job)))


# ── The record ───────────────────────────────────────────────────────────────────────────────────────────────


def data_fingerprint(dataset: Dataset) -> str:
    """A hash of the data the runs saw (every feature and target value, the names): the same data, the same hash."""
    digest = hashlib.sha256()
    statistics = dataset.statistics  # all rows' moments (the arrays may hold only a sample of big data)
    for array in (dataset.features, dataset.target, np.array([statistics.n]), statistics.mean, statistics.scatter):
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    digest.update(json.dumps([dataset.feature_names, dataset.target_name, dataset.standardized]).encode())
    return digest.hexdigest()[:16]


def record_of(job: Job, written: Sequence[Any] = ()) -> dict[str, Any]:
    """What `STEM.json` holds: every option, the version, the data's fingerprint, the numbers shown, the files."""
    return {
        "record": RECORD_VERSION,
        "gdviz": package_version(),
        "options": recorded_options(job.options),
        "data_fingerprint": data_fingerprint(job.experiments[0].dataset),
        "runs": [_numbers(run) for run in job.experiments],
        "files": [{"path": file.path.name, "bytes": file.size_bytes, "frames": file.frames,
                   "width": file.width, "height": file.height, "duration_s": round(file.duration_s, 3)}
                  for file in written],
    }


def recorded_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Normalized options as a record spells them: CLI names, lists for the repeated ones (JSON has no tuple)."""
    return {name.replace("_", "-"): list(value) if isinstance(value, tuple) else value
            for name, value in options.items()}


def _numbers(run: Experiment) -> dict[str, Any]:
    """The numbers a clip shows of one run: its rate, optimizer, regime, η·L, final loss and how it stopped."""
    trajectory, regime = run.trajectory, run_regime(run)
    return {"lr": trajectory.lr, "optimizer": trajectory.optimizer, "regime": None if regime is None else regime.value,
            "eta_lambda_max": json_number(run.rate.eta_lambda_max), "final_loss": json_number(trajectory.final_loss),
            "status": trajectory.status, "epochs_run": trajectory.epochs_run, "diverged_at": trajectory.diverged_at}


def write_record(job: Job, written: Sequence[Any]) -> Path:
    from scenes.encoder import write_text

    return write_text(json.dumps(record_of(job, written), indent=2, allow_nan=False) + "\n", job.record_path)


def read_record(path: str | Path) -> dict[str, Any]:
    """A record written by this gdviz version; a one-line error for anything else."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not a JSON record"
        raise GdvizInputError(f"`from` {path}: cannot read it ({reason})") from None
    if not isinstance(record, dict) or not isinstance(record.get("options"), dict) or "gdviz" not in record:
        raise GdvizInputError(f"`from` {path}: not a gdviz render record (no 'gdviz' and 'options' keys)")
    if record["gdviz"] != package_version():
        raise GdvizInputError(f"`from` {path}: written by gdviz {record['gdviz']}, this is {package_version()}: "
                              "its frames may differ; render with the options it lists instead")
    return record


def job_from_record(path: str | Path, overrides: Mapping[str, Any] = {}) -> Job:
    """The job a record describes, with `overrides` (options given beside --from) taking precedence; the data must
    still be what the record saw."""
    record = read_record(path)
    options = dict(record["options"])
    for one, other in (("quality", "size"), ("size", "quality")):  # a size given replaces the recorded quality
        if one in overrides and other not in overrides:
            options.pop(other, None)
    job = plan_job({**options, **overrides})
    if not any(name in overrides for name in DATA_OPTION_NAMES):
        seen = data_fingerprint(job.experiments[0].dataset)
        if seen != record.get("data_fingerprint"):
            raise GdvizInputError(f"`from` {path}: the data has changed since the record was written "
                                  f"(fingerprint {seen}, recorded {record.get('data_fingerprint')})")
    return job


def up_to_date(job: Job) -> bool:
    """True when the job's record exists, matches this job (version, options, data) and lists files still there."""
    try:
        record = json.loads(job.record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    identity = _identity(job.options, data_fingerprint(job.experiments[0].dataset))
    return _matches(record, identity) and _files_present(record, tuple(job.paths.values()))


def _identity(options: Mapping[str, Any], fingerprint: str) -> dict[str, Any]:
    """What must be equal for a record to stand for a render: record format, gdviz version, options, data."""
    return {"record": RECORD_VERSION, "gdviz": package_version(), "options": recorded_options(options),
            "data_fingerprint": fingerprint}


def _matches(record: Any, identity: Mapping[str, Any]) -> bool:
    return isinstance(record, dict) and all(record.get(key) == value for key, value in identity.items())


def _files_present(record: Mapping[str, Any], paths: Sequence[Path]) -> bool:
    """The record lists exactly these files (by name) and every one is still there."""
    files = record.get("files")
    listed = {file.get("path") for file in files if isinstance(file, dict)} if isinstance(files, list) else set()
    return listed == {path.name for path in paths} and all(path.exists() for path in paths)


@dataclass(frozen=True)
class Recorded:
    """An earlier render that stands for a set of options: its record and the files it lists (all present)."""

    record_path: Path
    paths: tuple[Path, ...]


class RecordIndex:
    """Finds the record of an earlier render from the options alone, with the least work: no run is trained and no
    drawing library imported. The data is built and fingerprinted once per distinct data source, and each output
    folder's records are read once; an index is meant for one check of many clips (it does not see later writes).

    A record stands for the options when its format, gdviz version, options (defaults filled in) and data
    fingerprint are this render's, and the files it lists (STEM.FORMAT for each format asked) are all there: the
    same version planning the same options on the same data chooses the same stem, so no run needs training."""

    def __init__(self) -> None:
        self._data: dict[DataOptions, tuple[str, str]] = {}  # data options → (dataset name, fingerprint)
        self._records: dict[Path, list[tuple[Path, Any]]] = {}  # folder → its records (path, parsed JSON)

    def find(self, given: Mapping[str, Any]) -> Recorded | None:
        """The record standing for these options, or None (none matches, or the options need planning to say
        what is wrong with them: plan_job does that)."""
        try:
            options = normalized_options(given)
            spec = scene_spec(str(options["scene"]))
            formats = _formats(options["format"], str(options["engine"] or spec.default_engine))
            dataset_name, fingerprint = self._data_identity(_run_options(options)[0])
        except (GdvizInputError, TypeError, ValueError):
            return None
        folder = Path(str(options["out"])) / dataset_name
        identity = _identity(options, fingerprint)
        for record_path, record in self._records_in(folder):
            paths = tuple(folder / f"{record_path.stem}.{fmt}" for fmt in formats)
            if _matches(record, identity) and _files_present(record, paths):
                return Recorded(record_path, paths)
        return None

    def _data_identity(self, data: DataOptions) -> tuple[str, str]:
        if data not in self._data:
            dataset = build_dataset(data)
            self._data[data] = (dataset.name, data_fingerprint(dataset))
        return self._data[data]

    def _records_in(self, folder: Path) -> list[tuple[Path, Any]]:
        if folder not in self._records:
            records = []
            for path in sorted(folder.glob("*.json")):
                try:
                    records.append((path, json.loads(path.read_text(encoding="utf-8"))))
                except (OSError, ValueError):
                    continue  # not a record (or unreadable): it stands for nothing
            self._records[folder] = records
        return self._records[folder]


# ── Checks ───────────────────────────────────────────────────────────────────────────────────────────────────


def _run_options(options: Mapping[str, Any]) -> tuple[DataOptions, RunOptions, tuple[float, ...], tuple[str, ...]]:
    """The data and run options, every `lr` and every `optimizer` (several only for a race: scene_runs checks)."""
    optimizers = tuple(str(name) for name in options["optimizer"])
    keywords = {name: options[name] for name in (*DATA_OPTION_NAMES, *RUN_OPTION_NAMES)}
    keywords |= {"lr": None, "optimizer": optimizers[0] if len(optimizers) == 1 else "gd"}
    data, run = split_options(keywords)
    return data, run, tuple(float(rate) for rate in options["lr"]), optimizers


def _formats(given: Sequence[str], engine: str) -> tuple[str, ...]:
    """--format mp4 --format gif, or mp4,gif, or both: the formats in the order given, each once."""
    names = [name.strip() for text in (given or ("both",)) for name in str(text).split(",") if name.strip()]
    accepted = ENGINES[engine].formats
    chosen: list[str] = []
    for name in names:
        for fmt in FORMAT_ALIASES.get(name, (name,)):
            if fmt not in accepted:
                others = [other for other, spec in ENGINES.items() if fmt in spec.formats]
                where = f" ({fmt} is written by the {' and '.join(others)} engine)" if others else ""
                raise GdvizInputError(f"unknown format {fmt!r} for the {engine} engine: choose from "
                                      f"{', '.join(accepted)}{where}{closest_hint(fmt, accepted)}")
            chosen += [] if fmt in chosen else [fmt]
    return tuple(chosen)


def _budgets(max_size: str | None, formats: Sequence[str], engine: str) -> dict[str, int]:
    """The size budget of each web format: --max-size for every GIF, WebP and WebM asked; by default a GIF at most
    2 MB (matplotlib engine)."""
    from scenes.budget import BUDGET_KINDS, DEFAULT_GIF_BUDGET, parse_byte_size

    if max_size is None:
        return {"gif": DEFAULT_GIF_BUDGET} if engine == "matplotlib" and "gif" in formats else {}
    if engine != "matplotlib":
        raise GdvizInputError(f"`max_size` is honoured by the matplotlib engine, not {engine}")
    budgeted = [fmt for fmt in formats if fmt in BUDGET_KINDS]
    if not budgeted:
        raise GdvizInputError(f"`max_size` {max_size} applies to {', '.join(BUDGET_KINDS)} files; this render writes "
                              f"{', '.join(formats)}")
    return dict.fromkeys(budgeted, parse_byte_size(str(max_size)))


def _gif_width(width: Any, engine: str, formats: tuple[str, ...]) -> int | None:
    """--gif-width: a whole number of pixels (64 to 3840), only with a GIF from the matplotlib engine."""
    if width is None:
        return None
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_SIDE <= width <= MAX_SIDE:
        raise GdvizInputError(f"`gif-width` {width!r}: give a width in pixels from {MIN_SIDE} to {MAX_SIDE}")
    if "gif" not in formats or engine != "matplotlib":
        raise GdvizInputError(f"`gif-width` sets the matplotlib engine's GIF: add `format` gif"
                              f"{'' if engine == 'matplotlib' else ' and `engine` matplotlib'}, or drop it")
    return width


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise GdvizInputError(f"unknown {name} {value!r}: choose one of {', '.join(choices)}"
                              f"{closest_hint(value, choices)}")
    return value


def _frame_size(size: str | None, quality: str | None, engine: str) -> tuple[tuple[int, int], float | None]:
    """The frame size and the quality's frame rate (None: the --fps default) from --size or --quality."""
    qualities = ENGINES[engine].qualities
    if size is not None and quality is not None:
        raise GdvizInputError(f"give either `size` or `quality`, not both (got `size` {size} `quality` {quality})")
    if quality is not None and quality not in qualities:
        others = [other for other, spec in ENGINES.items() if quality in spec.qualities]
        where = f" ({quality} is the {' and '.join(others)} engine's: add `engine` {others[0]})" if others else ""
        raise GdvizInputError(f"unknown quality {quality!r} for the {engine} engine: choose one of "
                              f"{', '.join(qualities)}{where}{closest_hint(quality, tuple(qualities))}")
    width, height, fps = qualities[quality or ENGINES[engine].default_quality]
    return (parse_size(size) if size is not None else (width, height)), fps


def _checked_steps(steps: Any) -> int | None:
    """update-rule's `steps`: a whole number from 1 to MAX_STEPS, or None for the scene's default."""
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise GdvizInputError(f"`steps` {steps!r}: give a whole number of steps from 1 to {MAX_STEPS}")
    return steps


def _checked_name(name: str | None) -> str | None:
    """A `name` is a file name without folders: letters, digits, '-', '_', '+' and '.' (not first)."""
    if name is not None and (not name or name.startswith(".") or any(
            not (char.isalnum() or char in "-_+.") for char in name)):
        raise GdvizInputError(f"`name` {name!r}: use letters, digits, '-', '_', '+' and '.' (not first)")
    return name
