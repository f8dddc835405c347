"""The `gdviz` command: parses, calls the library, prints what was written. Nothing here draws or computes.

Commands that draw nothing (`--version`, `list`, `train`, `regimes`) import nothing that draws: matplotlib, the
encoder and the scenes are imported inside the commands that render.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from gdcore.datasets import DATASET_NAMES
from gdcore.errors import GdvizInputError, closest_hint, refusal_in, refusal_text
from gdcore.optimizers import OPTIMIZER_NAMES
from gdcore.options import (
    DataOptions,
    RunOptions,
    as_flags,
    build_dataset,
    build_experiment,
    check_seed_is_used,
    run_request,
    split_options,
)
from gdcore.problem import COST_NAMES, Problem
from gdcore.regimes import REGIME_NAMES
from gdcore.reports import regimes_report, regimes_table, to_json, train_report, train_summary
from scenes.entry import announce_interrupted, was_interrupted
from scenes.registry import ENGINES, SCENES, figure_runs
from scenes.theme import palette

EXIT_BAD_INPUT = 2
DEFAULT_DURATION = 5.0


def fail(message: str) -> None:
    """Bad input: one line on stderr naming options as flags, exit status 2."""
    click.echo(f"gdviz: error: {' '.join(as_flags(message).split())}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class GdvizGroup(click.Group):
    """Turns every usage error into one line on stderr and exit status 2, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            fail(error.format_message())
        except GdvizInputError as error:
            fail(str(error))
        except (click.Abort, KeyboardInterrupt):
            announce_interrupted()
            sys.exit(130)
        except Exception as error:
            if was_interrupted():
                announce_interrupted()  # an error the interrupt caused (scenes.entry.was_interrupted)
                sys.exit(130)
            refusal = refusal_in(error)
            if refusal is None:
                raise
            click.echo(f"gdviz: error: {refusal_text(refusal)}", err=True)  # a full disk: one line, no traceback
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


_CLICK_TYPES: dict[str, Any] = {"float | None": float, "int | None": int, "str | None": str, "str": str}


def _click_option(option: dataclasses.Field[Any], repeatable: bool) -> Callable[..., Any]:
    """The click option of a declared option (gdcore.options): its flag, type, help and metavar."""
    help_text, metavar = option.metadata["help"], option.metadata["metavar"]
    flag_name = "--" + option.name.replace("_", "-")
    if option.type == "bool":
        return click.option(flag_name, option.name, is_flag=True, help=help_text)
    return click.option(flag_name, option.name, type=_CLICK_TYPES[str(option.type)], metavar=metavar,
                        multiple=repeatable, help=help_text + (" Repeatable." if repeatable else ""))


def declared_options(options: type, repeatable: tuple[str, ...] = (),
                     without: tuple[str, ...] = ()) -> Callable[..., Any]:
    """Every field of a gdcore.options dataclass as a click option, but those `without` (a command does not offer
    what it would reject); `repeatable` ones may be given several times."""
    made = [_click_option(option, option.name in repeatable) for option in dataclasses.fields(options)
            if option.name not in without]
    return lambda command: functools.reduce(lambda wrapped, option: option(wrapped), reversed(made), command)


def parsed_options(options: dict[str, Any]) -> tuple[DataOptions, RunOptions, tuple[float, ...], tuple[str, ...]]:
    """Click's keywords → the data options, the run options (one rate, one optimizer), every --lr and
    --optimizer given."""
    rates: tuple[float, ...] = tuple(options.pop("lr", ()) or ())
    optimizers: tuple[str, ...] = tuple(options.pop("optimizer", ()) or ())
    if len(optimizers) > 1:
        raise GdvizInputError(f"give one `optimizer`, got {len(optimizers)}: {', '.join(optimizers)}")
    data, run = split_options(options | {"optimizer": optimizers[0] if optimizers else "gd"})
    return data, run, rates, optimizers


def one_rate(rates: tuple[float, ...]) -> float | None:
    if len(rates) > 1:
        raise GdvizInputError(f"give one `lr` here, got {len(rates)}: {', '.join(f'{rate:g}' for rate in rates)}")
    return rates[0] if rates else None


def warn_if_singular(problem: Problem) -> None:
    if problem.is_singular:
        click.echo("gdviz: warning: XᵀX is singular (a constant or duplicated feature, or too few rows); "
                   "training works, and the closed form is the minimum-norm least-squares solution", err=True)


@click.group(cls=GdvizGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="gdviz", prog_name="gdviz")
def cli() -> None:
    """Pictures that teach gradient descent on linear regression.

    \b
    Examples:
      gdviz regimes                 which learning rates are slow, good, jumping, divergent
      gdviz train --lr 0.8          watch the loss explode in numbers
      gdviz train --dataset line-wide --json
    """


@cli.command()
@declared_options(DataOptions)
@declared_options(RunOptions, repeatable=("lr", "optimizer"))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the summary.")
def train(as_json: bool, **options: Any) -> None:
    """Train once and print a summary like the lab's printout.

    \b
    Example:
      gdviz train --dataset plane --lr 0.3 --epochs 100
    """
    data, run, rates, _ = parsed_options(options)
    dataset = build_dataset(data)
    check_seed_is_used(data.seed, dataset, (run.optimizer,))
    experiment = build_experiment(dataset, dataclasses.replace(run, lr=one_rate(rates)), data.seed)
    warn_if_singular(experiment.problem)
    click.echo(to_json(train_report(experiment)) if as_json else train_summary(experiment))


@cli.command()
@declared_options(DataOptions)
@click.option("--cost", metavar="NAME", help=f"{' or '.join(COST_NAMES)} (default: the dataset's).")
@click.option("--lr", "rates", type=float, multiple=True, help="A rate to classify (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def regimes(cost: str | None, rates: tuple[float, ...], as_json: bool, **options: Any) -> None:
    """The Hessian's spectrum, the regime thresholds and a rate for each regime.

    \b
    Example:
      gdviz regimes --lr 0.005 --lr 0.1 --lr 0.3 --lr 0.8
    """
    data, _ = split_options(options)
    dataset = build_dataset(data)
    check_seed_is_used(data.seed, dataset, ())
    problem = Problem.from_dataset(dataset, cost or dataset.defaults.cost)
    warn_if_singular(problem)
    report = regimes_report(dataset, problem, rates)
    click.echo(to_json(report) if as_json else regimes_table(dataset, problem, report))


def _quality_help() -> str:
    return "; ".join(f"{engine.name}: " + ", ".join(
        f"{name} {width}x{height}" + (f"@{fps:g}" if fps else "") for name, (width, height, fps)
        in engine.qualities.items()) + f" (default {engine.default_quality})" for engine in ENGINES.values())


class RenderCommand(click.Command):
    """`render`, whose help lists the scenes and engines as registered when it is shown."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        with formatter.section("Scenes (engines; the first is the default)"):
            formatter.write_dl([(name, f"{spec.description} ({', '.join(spec.engines)})")
                                for name, spec in SCENES.items()])
        with formatter.section("Engines"):
            formatter.write_dl([(engine.name, f"{engine.description}; formats {', '.join(engine.formats)}")
                                for engine in ENGINES.values()])


@cli.command(cls=RenderCommand)
@click.argument("scene", required=False, default="dashboard", metavar="[SCENE]")
@declared_options(DataOptions)
@declared_options(RunOptions, repeatable=("lr", "optimizer"))
@click.option("--format", "format", multiple=True, metavar="FORMAT[,FORMAT...]",
              help="mp4, gif, webm (VP9), webp (animated), or png, svg, pdf (the last frame as a still); repeatable "
                   "or comma-separated; 'both' is mp4,gif (default). Manim: mp4, gif, webm, webp.")
@click.option("--size", metavar="WxH", help="Frame size in pixels of every format (default: the quality's; "
              "the GIF then 720 px wide).")
@click.option("--gif-width", "gif_width", type=int, metavar="N",
              help="The GIF's width in pixels (drawn at that size; height from the frame's aspect).")
@click.option("--quality", metavar="NAME", help=f"Named frame size (and Manim frame rate): {_quality_help()}.")
@click.option("--fps", type=float, help="Frames per second (default 30; Manim: its quality's).")
@click.option("--duration", type=float, default=DEFAULT_DURATION, show_default=True,
              help="Seconds of motion (the end is then held for a second).")
@click.option("--time", "time", default="log", show_default=True, metavar="log|linear",
              help="How video time maps to epochs: log gives the early epochs more time.")
@click.option("--theme", default="light", show_default=True, metavar="light|dark", help="Colour theme.")
@click.option("--rotate", is_flag=True, help="Turn the camera slowly (the matplotlib surface scene).")
@click.option("--steps", type=int, metavar="N", help="Steps written out, 1 to 20 (the update-rule scene; default 3).")
@click.option("--theory/--no-theory", default=True, show_default=True,
              help="Draw constant-rate gd's exact path w* + (I − ηH)ᵏ(w₀ − w*) faint beside the run (matplotlib).")
@click.option("--engine", metavar="matplotlib|manim",
              help="Renderer (default: the scene's first engine, see below).")
@click.option("--out", "out", default="output", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--name", metavar="STEM", help="File name without extension (default: the naming rule's).")
@click.option("--from", "from_record", metavar="RECORD.json",
              help="Render what a record (written beside every render) describes; options given here override it.")
@click.option("--max-size", "max_size", metavar="SIZE",
              help="Fit every GIF, WebP and WebM under SIZE (B, KB, MB: 1MB, 800KB) by lowering frame rate, colours, "
                   "then size, never below legible; default: a GIF at most 2MB.")
@click.option("--embed", is_flag=True, help="Also print a ready HTML snippet for each file (<video> or <img>).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def render(from_record: str | None, embed: bool, quiet: bool, **options: Any) -> None:
    """Render a scene to MP4 and GIF (or a PNG still). Files land at OUT/DATASET/NAME.EXT (see the README's
    naming rule), with NAME.json beside them: the record of how they were made. Every scene renders with no
    option but its name.

    \b
    Examples:
      gdviz render --lr 0.8                       watch divergence
      gdviz render line --regime good --format gif
      gdviz render regimes --dataset line --theme dark
      gdviz render compare --lr 0.05 --lr 0.1 --lr 0.3
      gdviz render line --engine manim --quality high
      gdviz render update-rule --steps 5
      gdviz render line --format webm,webp --max-size 1MB --embed
      gdviz render --from output/plane/line-lr0.1-manim.json --quality 4k
    """
    from scenes.jobs import frame_count, job_from_record, legibility_warning, plan_job, render_job

    if from_record is None:
        job = plan_job(options)
    else:
        context = click.get_current_context()
        given = {name: value for name, value in options.items()
                 if context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE}
        job = job_from_record(from_record, given)
    for experiment in job.experiments[:1]:
        warn_if_singular(experiment.problem)
    with _progress_bar(frame_count(job), quiet) as advance:
        written = render_job(job, advance)
    warning = legibility_warning(job)  # after the render: bad input stays one line
    if warning is not None:
        click.echo(f"gdviz: warning: {warning}", err=True)
    if not quiet:
        for file in written:
            click.echo(describe_written(file))
    if embed:
        from scenes.embed import embed_snippet

        for file in written:
            if file.path.suffix != ".pdf":  # a page shows images and videos, not PDFs
                click.echo(embed_snippet(file, alt_text(job)))


def alt_text(job: Any) -> str:
    """What a clip shows, for an <img>'s or <video>'s alt text: the scene and the run's (or grid's) title."""
    from scenes.captions import grid_title, run_title
    from scenes.registry import Runs

    runs = job.experiments
    title = run_title(runs[0]) if job.spec.runs is Runs.ONE else grid_title(runs, regimes=job.spec.runs is Runs.REGIMES)
    return f"{job.spec.description}: {title}"


def describe_written(file: Any) -> str:
    """'wrote output/plane/dashboard-lr0.8.mp4  1280x720, 180 frames, 6.0 s, 412 KB'; a note, if any, follows."""
    timing = "still" if file.frames == 1 else f"{file.frames} frames, {file.duration_s:.1f} s"
    note = f"  ({file.note})" if getattr(file, "note", "") else ""
    return f"wrote {file.path}  {file.width}x{file.height}, {timing}, {_size_text(file.size_bytes)}{note}"


@contextlib.contextmanager
def _progress_bar(count: int, quiet: bool, what: str = "frames") -> Iterator[Callable[[int], None] | None]:
    """A bar on stderr while frames (or clips) are made, only when stderr is a terminal and not --quiet."""
    if quiet or count == 0 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=count, label=f"rendering {what}", file=sys.stderr) as bar:
        yield bar.update


@cli.command()
@declared_options(DataOptions)
@declared_options(RunOptions, repeatable=("lr", "optimizer"))
@click.option("--format", "formats", multiple=True, metavar="FORMAT",
              help="png, svg or pdf; repeatable (default: png and svg).")
@click.option("--theme", default="light", show_default=True, metavar="light|dark", help="Colour theme.")
@click.option("--out", "out_dir", default="output", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--quiet", is_flag=True, help="Print nothing.")
def figures(formats: tuple[str, ...], theme: str, out_dir: str, quiet: bool, **options: Any) -> None:
    """The lab's still figures: convergence, loss surface and contours, the fit, a rate comparison.

    One --lr (or --regime) sets the main run (default: the dataset's tutorial rate); the comparison shows the slow,
    good and jumping presets, and the main run too when its rate is none of them (a divergent one, say). Two or
    more --lr are the comparison; the main run then keeps the tutorial's rate (or --regime's).

    \b
    Examples:
      gdviz figures --dataset plane --format png --format pdf
      gdviz figures --lr 0.005 --lr 0.1 --lr 0.3      the lab's rate comparison
    """
    from scenes.encoder import FIGURE_FORMATS, prepare_output_dir, save_figure
    from scenes.figures import lab_figures

    formats = formats or ("png", "svg")
    for fmt in formats:
        if fmt not in FIGURE_FORMATS:
            raise GdvizInputError(f"unknown figure format {fmt!r}: choose one of {', '.join(FIGURE_FORMATS)}"
                                  f"{closest_hint(fmt, FIGURE_FORMATS)}")
    palette(theme)
    data, run, rates, _ = parsed_options(options)
    main_run, compared = figure_runs(build_dataset(data), run, rates, data.seed)
    folder = prepare_output_dir(Path(out_dir) / main_run.dataset.name)
    for name, figure in lab_figures(main_run, compared, theme).items():
        for fmt in formats:
            path = save_figure(figure, folder / f"figure-{name}.{fmt}", fmt)
            if not quiet:
                click.echo(f"wrote {path}")


@cli.command()
@declared_options(DataOptions)
@declared_options(RunOptions, without=("lr", "regime"))  # the sweep chooses its rates: --lr-min, --lr-max, --steps
@click.option("--steps", type=int, default=40, show_default=True, help="Rates swept, log-spaced.")
@click.option("--lr-min", type=float, metavar="FLOAT", help="Smallest rate (default: 1 % of the stable limit).")
@click.option("--lr-max", type=float, metavar="FLOAT", help="Largest rate (default: 150 % of the stable limit).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--theme", default="light", show_default=True, metavar="light|dark", help="Colour theme.")
@click.option("--out", "out_dir", default="output", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--no-figure", is_flag=True, help="Print only; write no figure.")
def sweep(steps: int, lr_min: float | None, lr_max: float | None, as_json: bool, theme: str, out_dir: str,
          no_figure: bool, **options: Any) -> None:
    """Run one rate after another, from 1 % to 150 % of the optimizer's largest stable rate (2/L for gd; 2/L for
    the adaptive methods, which have none): each rate's regime, status, final loss and epochs, and the smallest
    rate that diverged (refined by bisection); it chooses its rates, so it takes no --lr or --regime.
    Writes the figure (final loss against rate) as
    PNG and SVG to OUT/DATASET/figure-sweep-....png/svg.

    \b
    Examples:
      gdviz sweep --dataset line --steps 60
      gdviz sweep --optimizer momentum --json
    """
    from gdcore.options import build_sweep
    from gdcore.reports import sweep_report, sweep_table

    palette(theme)
    data, run = split_options(options | {"optimizer": options.get("optimizer") or "gd"})
    dataset = build_dataset(data)
    check_seed_is_used(data.seed, dataset, (run.optimizer,))
    base, result = build_sweep(dataset, run, steps, lr_min, lr_max, data.seed)
    written: list[Path] = []
    if not no_figure:
        from scenes.encoder import prepare_output_dir, save_figure
        from scenes.figures import sweep_figure
        from scenes.naming import sweep_stem

        folder = prepare_output_dir(Path(out_dir) / dataset.name)
        stem = sweep_stem(base, [row.lr for row in result.rows], theme)
        figure = sweep_figure(result, base, theme)
        written = [save_figure(figure, folder / f"{stem}.{fmt}", fmt) for fmt in ("png", "svg")]
    if as_json:
        click.echo(to_json(sweep_report(result) | {"files": [str(path) for path in written]}))
        return
    click.echo(sweep_table(result))
    for path in written:
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("lecture", metavar="LECTURE.toml")
@click.option("--jobs", type=click.IntRange(1, 64), help="Clips rendered at once, each in its own process "
              "(default: all cores).")
@click.option("--scheduler", metavar="ADDRESS|local", help="Render on a Dask distributed cluster (tcp://HOST:PORT), "
              "or on a LocalCluster started here; --out must then be a folder every worker shares.")
@click.option("--force", is_flag=True, help="Render every clip, even those whose record says they are up to date.")
@click.option("--dry-run", is_flag=True, help="Check every clip and say what would be rendered; render nothing.")
@click.option("--out", metavar="DIR", help="Output folder for every clip (default: each clip's, else output/).")
def batch(lecture: str, jobs: int | None, scheduler: str | None, force: bool, dry_run: bool,
          out: str | None) -> None:
    """Render a whole lecture's clips from one TOML file.

    Every clip is checked before any renders; a bad clip gets one line and is skipped while the others render
    (exit status 1 at the end). A clip whose record matches is skipped as up to date.

    \b
    Example lecture file:
      [defaults]
      dataset = "plane"
      [[clip]]
      name = "diverge"
      title = "Too large a rate"
      lr = 0.8
      [[clip]]
      scene = "compare"
      lr = [0.05, 0.1, 0.3]
    \b
    Examples:
      gdviz batch lecture.toml --jobs 2
      gdviz batch lecture.toml --scheduler tcp://10.0.0.5:8786 --out /shared/clips
    """
    import os

    from scenes.batch import check_clips, pending, read_lecture, render_clips, workers_warm_up

    workers = jobs or os.cpu_count() or 1
    warm_up = workers_warm_up(0 if dry_run else workers, scheduler)
    clips = read_lecture(lecture)
    if force:
        warm_up()
    checked = check_clips(clips, out, warm_up)
    for item in checked:
        if item.error is not None:
            click.echo(f"gdviz: {item.clip.label}: {as_flags(item.error)}", err=True)
    todo, fresh = pending(checked, force)
    for clip in fresh:
        click.echo(f"{clip.label}: up to date")
    failed = sum(item.error is not None for item in checked)
    if dry_run:
        for item in checked:
            if item.job is not None and item.clip in todo:
                paths = ", ".join(str(path) for path in item.job.paths.values())
                click.echo(f"{item.clip.label}: would render {paths}")
        sys.exit(1 if failed else 0)
    with _progress_bar(len(todo), False, "clips") as advance:
        paths = {item.clip.number: item.paths for item in checked}
        for outcome in render_clips(todo, min(workers, max(len(todo), 1)), scheduler, paths):
            if advance is not None:
                advance(1)
            if outcome.error is not None:
                failed += 1
                click.echo(f"gdviz: {outcome.clip.label}: {as_flags(outcome.error)}", err=True)
                continue
            for path, size in outcome.files:
                click.echo(f"{outcome.clip.label}: wrote {path}  {_size_text(size)}, {outcome.seconds:.1f} s")
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("lecture", metavar="LECTURE.toml")
@click.option("--out", metavar="DIR", default="output", show_default=True,
              help="Where the deck (LECTURE.html) and manim-slides' folder (LECTURE-slides/) land.")
def slides(lecture: str, out: str) -> None:
    """Make a lecture's Manim clips into one reveal.js deck: a title slide per clip, then a slide per step (each
    update-rule step, each zoom of an escaping run, the escape...), videos and reveal.js inlined: one HTML file
    that plays offline. Clips drawn by matplotlib are skipped (one line each); bad clips as in `batch` (exit 1).

    \b
    Example:
      gdviz slides lecture.toml --out talks
      manim-slides present --folder talks/lecture-slides 01-update-rule-lr0.1-manim    (its own presenter)
    """
    from scenes.batch import check_clips, read_lecture
    from scenes.slides import DeckPaths, make_deck, slide_clips

    checked = check_clips(read_lecture(lecture))
    for item in checked:
        if item.error is not None:
            click.echo(f"gdviz: {item.clip.label}: {as_flags(item.error)}", err=True)
    clips, skipped = slide_clips(checked)
    for line in skipped:
        click.echo(line)
    paths = DeckPaths.of(lecture, out)

    failed = sum(item.error is not None for item in checked)
    names: list[str] = []

    def done(outcome: Any) -> None:
        nonlocal failed
        label = outcome.item.clip.label
        if outcome.error is not None:
            failed += 1
            click.echo(f"gdviz: {label}: {as_flags(outcome.error)}", err=True)
            return
        names.append(outcome.item.name)
        click.echo(f"{label}: {outcome.slides} slides ({outcome.item.name}), {outcome.seconds:.1f} s")

    total = make_deck(clips, paths, Path(lecture).stem, done)
    click.echo(f"wrote {paths.html}  {total} slides, {_size_text(paths.html.stat().st_size)}")
    click.echo(f"manim-slides present --folder {paths.folder} {' '.join(names)}")
    sys.exit(1 if failed else 0)


def _size_text(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.2f} MB" if size_bytes >= 1e6 else f"{size_bytes / 1e3:.0f} KB"


@cli.command()
@declared_options(DataOptions)
@declared_options(RunOptions, repeatable=("lr", "optimizer"))
@click.option("--cdn", is_flag=True, help="Load plotly.js from its CDN (a small file that needs the web); default: "
              "inlined, works offline.")
@click.option("--out", "out_dir", default="output", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--quiet", is_flag=True, help="Print nothing.")
def html(cdn: bool, out_dir: str, quiet: bool, **options: Any) -> None:
    """An explorable page: a learning-rate slider over precomputed runs, play and step, linked views of the fit,
    the contours, the loss and the 3D bowl. One self-contained HTML file that works offline and on any static host.

    Rates: log-spaced from the slow preset past 2/L, plus every --lr given.

    \b
    Examples:
      gdviz html
      gdviz html --dataset line --lr 0.5 --lr 1.2
      gdviz html --cdn                 a ~150 KB page that loads plotly.js from the web
    """
    from scenes.explore import explore_path, write_explore_page

    data, run, rates, _ = parsed_options(options)
    dataset = build_dataset(data)
    check_seed_is_used(data.seed, dataset, (run.optimizer,))
    path = explore_path(Path(out_dir), dataset, rates or None, cdn)
    write_explore_page(path, dataset, rates or None, run_request(dataset, run, data.seed), cdn)
    if not quiet:
        click.echo(f"wrote {path}  {_size_text(path.stat().st_size)}")


def catalogue() -> dict[str, Any]:
    """What `gdviz list --json` prints: every dataset, optimizer, regime, scene (with its engines) and format."""
    return {
        "datasets": list(DATASET_NAMES),
        "optimizers": list(OPTIMIZER_NAMES),
        "regimes": list(REGIME_NAMES),
        "scenes": [{"name": name, "description": spec.description, "engines": list(spec.engines)}
                   for name, spec in SCENES.items()],
        "formats": {name: list(engine.formats) for name, engine in ENGINES.items()},
    }


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_command(as_json: bool) -> None:
    """The datasets, optimisers, regimes, scenes and formats gdviz knows.

    \b
    Example:
      gdviz list --json
    """
    known = catalogue()
    if as_json:
        click.echo(json.dumps(known))
        return
    click.echo("datasets:   " + ", ".join(known["datasets"]) + "  (or --data FILE.csv --x COLS --y COL)")
    click.echo("optimizers: " + ", ".join(known["optimizers"]))
    click.echo("regimes:    " + ", ".join(known["regimes"]))
    click.echo("scenes:")
    for scene in known["scenes"]:
        click.echo(f"  {scene['name']:<12} {scene['description']} ({', '.join(scene['engines'])})")
    click.echo("formats:    " + "; ".join(f"{engine} {', '.join(formats)}"
                                          for engine, formats in known["formats"].items()))


def main() -> None:
    """The console script: scenes.entry.main, which sets up signals before importing this module."""
    from scenes.entry import main as entry

    entry()


if __name__ == "__main__":
    main()
