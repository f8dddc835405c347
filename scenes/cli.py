"""The `gdviz` command: parses, builds the problem, runs, hands over to a scene, prints what was written."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import click
import numpy as np

from gdcore.datasets import DATASET_NAMES, Dataset, load_csv, load_dataset, standardize
from gdcore.errors import GdvizInputError, closest_hint
from gdcore.experiment import Experiment, Hyperparameters, RunRequest, parse_init, prepare
from gdcore.frames import plan_frames
from gdcore.optimizers import OPTIMIZER_NAMES
from gdcore.problem import COST_NAMES, Problem
from gdcore.regimes import PRESET_REGIMES, REGIME_NAMES, classify, preset_rates
from scenes.encoder import FIGURE_FORMATS, WrittenFile, prepare_output_dir, save_figure
from scenes.mpl.layouts import MAX_COMPARED, SCENE_NAMES, Look, check_scene
from scenes.render import FORMATS, QUALITIES, RenderSettings, frame_plan, parse_size
from scenes.render import render as render_scene
from scenes.theme import palette

EXIT_BAD_INPUT = 2


def _package_version() -> str:
    try:
        return version("gdviz")
    except PackageNotFoundError:
        return "0+unknown"


def fail(message: str) -> None:
    """Bad input: one line on stderr, exit status 2."""
    click.echo(f"gdviz: error: {' '.join(message.split())}", err=True)
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
            click.echo("gdviz: interrupted", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


def data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--dataset / --data FILE --x --y, --standardize, --seed and the synthetic sizes, on every command."""
    options = [
        click.option("--dataset", "dataset_name", metavar="NAME",
                     help=f"Built-in data: {', '.join(DATASET_NAMES)} (default: plane)."),
        click.option("--data", "csv_path", metavar="FILE", help="A CSV file with a header row."),
        click.option("--x", "x_columns", metavar="COL[,COL...]",
                     help="Feature columns of --data (names or 0-based indices)."),
        click.option("--y", "y_column", metavar="COL", help="Target column of --data (name or 0-based index)."),
        click.option("--standardize", is_flag=True, help="Z-score the features before training."),
        click.option("--seed", type=int, help="Seed for synthetic data and mini-batch shuffling (default 0)."),
        click.option("--n", "n_samples", type=int, help="Rows of synthetic data (default 100)."),
        click.option("--features", "n_features", type=int, help="Features of synthetic data (default 1)."),
        click.option("--noise", type=float, help="Noise std of synthetic data (default 1.0)."),
    ]
    return functools.reduce(lambda wrapped, option: option(wrapped), reversed(options), command)


def build_dataset(dataset_name: str | None, csv_path: str | None, x_columns: str | None, y_column: str | None,
                  standardize_features: bool, seed: int | None, n_samples: int | None, n_features: int | None,
                  noise: float | None) -> Dataset:
    """The dataset the data options describe, validated."""
    if csv_path is not None:
        if dataset_name is not None:
            raise GdvizInputError(f"give either --dataset or --data, not both (got --dataset {dataset_name})")
        sizes = {"--n": n_samples, "--features": n_features, "--noise": noise}
        given = [flag for flag, value in sizes.items() if value is not None]
        if given:
            raise GdvizInputError(
                f"{', '.join(given)} shape synthetic data (--dataset synthetic), not --data {csv_path}"
            )
        if x_columns is None or y_column is None:
            raise GdvizInputError(f"--data {csv_path} needs --x COL[,COL...] and --y COL")
        dataset = load_csv(csv_path, x_columns, y_column)
    else:
        if x_columns is not None or y_column is not None:
            raise GdvizInputError("--x and --y select columns of a CSV file: give --data FILE too")
        name = dataset_name or "plane"
        # --seed also seeds mini-batch shuffling: it shapes the data only when the data is synthetic.
        dataset = load_dataset(name, n_samples=n_samples, n_features=n_features, noise=noise,
                               seed=seed if name == "synthetic" else None)
    return standardize(dataset) if standardize_features else dataset


def run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Rate, regime, epochs, optimiser and its hyperparameters, initial weights and cost."""
    options = [
        click.option("--lr", type=float, multiple=True, help="Learning rate η (compare: repeat it)."),
        click.option("--regime", metavar="NAME", help=f"Use the preset rate of a regime: {', '.join(REGIME_NAMES)}."),
        click.option("--epochs", type=int, help="Epochs to run (default: the dataset's tutorial setting)."),
        click.option("--optimizer", default="gd", show_default=True, metavar="NAME",
                     help=f"One of {', '.join(OPTIMIZER_NAMES)}."),
        click.option("--init", "init_text", metavar="zeros|B,W1,...", help="Initial weights, bias first."),
        click.option("--cost", metavar="NAME", help=f"{' or '.join(COST_NAMES)} (default: the dataset's)."),
        click.option("--tol", "tolerance", type=float, help="Stop when ‖Δw‖ of an epoch is below this."),
        click.option("--momentum", type=float, help="Momentum μ (momentum, nesterov; default 0.9)."),
        click.option("--beta1", type=float, help="Adam's β₁ (default 0.9)."),
        click.option("--beta2", type=float, help="Adam's β₂ (default 0.999)."),
        click.option("--alpha", type=float, help="RMSprop's smoothing α (default 0.99)."),
        click.option("--eps", type=float, help="Adagrad/RMSprop/Adam's ε."),
        click.option("--batch-size", type=int, help="Mini-batch size for sgd (default 32)."),
    ]
    return functools.reduce(lambda wrapped, option: option(wrapped), reversed(options), command)


def check_seed_is_used(seed: int | None, dataset: Dataset, optimizer: str | None) -> None:
    """--seed seeds synthetic data and sgd's shuffling: given for neither, it is an error rather than ignored."""
    if seed is not None and optimizer != "sgd" and dataset.name != "synthetic":
        uses = "synthetic data (--dataset synthetic) and mini-batch shuffling (--optimizer sgd)"
        raise GdvizInputError(f"--seed {seed} seeds {uses}; this run has neither")


def build_experiment(options: dict[str, Any]) -> Experiment:
    """Dataset from the data options, then one run from the run options."""
    dataset = build_dataset(options["dataset_name"], options["csv_path"], options["x_columns"],
                            options["y_column"], options["standardize"], options["seed"],
                            options["n_samples"], options["n_features"], options["noise"])
    check_seed_is_used(options["seed"], dataset, options["optimizer"])
    init_text = options["init_text"]
    hyper = Hyperparameters(options["momentum"], options["beta1"], options["beta2"], options["alpha"],
                            options["eps"], options["batch_size"],
                            options["seed"] if options["optimizer"] == "sgd" else None)
    rate = options["lr"]
    if isinstance(rate, tuple):
        if len(rate) > 1:
            raise GdvizInputError(f"give one --lr here, got {len(rate)}: {', '.join(f'{r:g}' for r in rate)}")
        rate = rate[0] if rate else None
    request = RunRequest(
        lr=rate, regime=options["regime"], epochs=options["epochs"],
        init=None if init_text is None else parse_init(init_text, dataset.param_names),
        cost=options["cost"], optimizer=options["optimizer"], tolerance=options["tolerance"], hyper=hyper,
    )
    experiment = prepare(dataset, request)
    warn_if_singular(experiment.problem)
    return experiment


def warn_if_singular(problem: Problem) -> None:
    if problem.is_singular:
        click.echo("gdviz: warning: XᵀX is singular (a constant or duplicated feature, or too few rows); "
                   "training works, and the closed form is the minimum-norm least-squares solution", err=True)


@click.group(cls=GdvizGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(_package_version(), prog_name="gdviz")
def cli() -> None:
    """Pictures that teach gradient descent on linear regression.

    \b
    Examples:
      gdviz regimes                 which learning rates are slow, good, jumping, divergent
      gdviz train --lr 0.8          watch the loss explode in numbers
      gdviz train --dataset line-wide --json
    """


@cli.command()
@data_options
@run_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the summary.")
def train(as_json: bool, **options: Any) -> None:
    """Train once and print a summary like the lab's printout.

    \b
    Example:
      gdviz train --dataset plane --lr 0.3 --epochs 100
    """
    experiment = build_experiment(options)
    if as_json:
        click.echo(to_json(train_report(experiment)))
    else:
        click.echo(train_summary(experiment))


def train_report(experiment: Experiment) -> dict[str, Any]:
    """The keys `gdviz train --json` promises."""
    problem, trajectory = experiment.problem, experiment.trajectory
    return {
        "dataset": experiment.dataset.name,
        "n_samples": problem.n_samples,
        "params": list(experiment.dataset.param_names),
        "lr": trajectory.lr,
        "regime": experiment.rate.regime.value,
        "optimizer": trajectory.optimizer,
        "status": trajectory.status,
        "epochs_run": trajectory.epochs_run,
        "diverged_at": trajectory.diverged_at,
        "cost": problem.cost,
        "init": experiment.init.tolist(),
        "initial_loss": float(trajectory.loss[0]),
        "final_loss": trajectory.final_loss,
        "weights": trajectory.final_weights.tolist(),
        "closed_form": problem.closed_form.tolist(),
        "closed_form_loss": problem.closed_form_loss,
        "lambda_max": problem.lambda_max,
        "lambda_min": problem.lambda_min,
        "condition_number": _json_number(problem.condition_number),
        "lr_stable_max": 2.0 / problem.lambda_max,
        "eta_lambda_max": _json_number(experiment.rate.eta_lambda_max),
        "growth": _json_number(experiment.rate.growth),
        "true_params": None if experiment.dataset.true_params is None else list(experiment.dataset.true_params),
        "standardized": experiment.dataset.standardized,
    }


def _json_number(value: float) -> float | None:
    """JSON has no inf: an infinite condition number (or η·L of a rate near the largest float) is null."""
    return value if np.isfinite(value) else None


def to_json(report: dict[str, Any]) -> str:
    """One line of strict JSON: a NaN or inf left in the report is a bug, not 'NaN' in the output."""
    return json.dumps(report, allow_nan=False)


def train_summary(experiment: Experiment) -> str:
    """Initial and final loss, each parameter beside the closed form and the truth, the regime."""
    dataset, problem, trajectory, rate = (experiment.dataset, experiment.problem, experiment.trajectory,
                                          experiment.rate)
    stop = {"converged": f"converged after {trajectory.epochs_run} epochs",
            "max_epochs": f"ran all {trajectory.epochs_run} epochs",
            "diverged": f"DIVERGED at epoch {trajectory.diverged_at}"}[trajectory.status]
    lines = [
        f"dataset     {dataset.name}: {dataset.n_samples} rows, {dataset.n_features} feature(s)"
        + (" (standardized)" if dataset.standardized else ""),
        f"            {dataset.source}",
        f"optimizer   {trajectory.optimizer}, lr {trajectory.lr:g}, cost {problem.cost}; {stop}",
        "init        " + ", ".join(f"{name} = {value:g}"
                                  for name, value in zip(dataset.param_names, experiment.init, strict=True)),
        f"regime      {rate.regime.value}: η·L = {rate.eta_lambda_max:.3g} (stable below 2), "
        f"error × {rate.growth:.3g} per step",
        f"loss        initial {trajectory.loss[0]:.6g}, final {trajectory.final_loss:.6g}, "
        f"closed form {problem.closed_form_loss:.6g}",
        "",
        parameter_table(dataset, trajectory.final_weights, problem.closed_form),
    ]
    if trajectory.diverged:
        lines += ["", "The loss exploded: reduce the learning rate (try a factor of 10; "
                  f"stable below {2.0 / problem.lambda_max:.3g})."]
    return "\n".join(lines)


def parameter_table(dataset: Dataset, learned: np.ndarray, closed_form: np.ndarray) -> str:
    truth = dataset.true_params
    rows = [f"{'param':<8}{'learned':>14}{'closed form':>14}{'true':>10}"]
    for index, name in enumerate(dataset.param_names):
        true_text = "" if truth is None else f"{truth[index]:g}"
        rows.append(f"{name:<8}{learned[index]:>14.6g}{closed_form[index]:>14.6g}{true_text:>10}")
    return "\n".join(rows)


@cli.command()
@data_options
@click.option("--cost", metavar="NAME", help=f"{' or '.join(COST_NAMES)} (default: the dataset's).")
@click.option("--lr", "rates", type=float, multiple=True, help="A rate to classify (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def regimes(cost: str | None, rates: tuple[float, ...], as_json: bool, **data: Any) -> None:
    """The Hessian's spectrum, the regime thresholds and a rate for each regime.

    \b
    Example:
      gdviz regimes --lr 0.005 --lr 0.1 --lr 0.3 --lr 0.8
    """
    dataset = build_dataset(data["dataset_name"], data["csv_path"], data["x_columns"], data["y_column"],
                            data["standardize"], data["seed"], data["n_samples"], data["n_features"], data["noise"])
    check_seed_is_used(data["seed"], dataset, None)
    problem = Problem.from_data(dataset.features, dataset.target, cost or dataset.defaults.cost)
    warn_if_singular(problem)
    report = regimes_report(problem, rates) | {"dataset": dataset.name, "standardized": dataset.standardized}
    click.echo(to_json(report) if as_json else regimes_table(dataset, problem, report))


def regimes_report(problem: Problem, rates: tuple[float, ...]) -> dict[str, Any]:
    from gdcore.experiment import check_rate

    classified = [classify(check_rate(lr), problem.eigenvalues) for lr in rates]
    return {
        "lambda_max": problem.lambda_max,
        "lambda_min": problem.lambda_min,
        "condition_number": _json_number(problem.condition_number),
        "lr_stable_max": 2.0 / problem.lambda_max,
        "eigenvalues": problem.eigenvalues.tolist(),
        "presets": {regime.value: lr for regime, lr in preset_rates(problem.lambda_max).items()},
        "rates": [{"lr": r.lr, "regime": r.regime.value, "eta_lambda_max": _json_number(r.eta_lambda_max),
                   "growth": _json_number(r.growth)} for r in classified],
    }


def _shown(value: float | None) -> str:
    """A report number in three significant digits; null (an overflowed product) as inf."""
    return "inf" if value is None else f"{value:.3g}"


def regimes_table(dataset: Dataset, problem: Problem, report: dict[str, Any]) -> str:
    lam = problem.lambda_max
    condition = report["condition_number"]
    lines = [
        f"dataset {dataset.name} ({dataset.n_samples} rows"
        f"{', features standardized' if dataset.standardized else ''}), cost {problem.cost}",
        f"Hessian eigenvalues  {', '.join(f'{value:.4g}' for value in report['eigenvalues'])}",
        f"L = λ_max = {lam:.4g}, λ_min = {problem.lambda_min:.4g}, condition number "
        + ("inf (singular)" if condition is None else f"{condition:.4g}"),
        f"stable for lr < 2/L = {2.0 / lam:.4g}",
        "",
        f"{'regime':<11}{'η·L':<15}{'lr range':<26}{'preset lr':>10}",
    ]
    bounds = {"slow": (0.0, 0.2), "good": (0.2, 1.0), "jumping": (1.0, 2.0), "divergent": (2.0, float("inf"))}
    for regime in PRESET_REGIMES:
        low, high = bounds[regime.value]
        span = f"{low / lam:.3g} – {high / lam:.3g}" if np.isfinite(high) else f">= {low / lam:.3g}"
        eta_span = f"{low:g} – {high:g}" if np.isfinite(high) else f">= {low:g}"
        lines.append(f"{regime.value:<11}{eta_span:<15}{span:<26}{report['presets'][regime.value]:>10g}")
    if report["rates"]:
        lines += ["", f"{'lr':>10}  {'regime':<10}{'η·L':>8}{'growth/step':>13}"]
        lines += [f"{r['lr']:>10g}  {r['regime']:<10}{_shown(r['eta_lambda_max']):>8}{_shown(r['growth']):>13}"
                  for r in report["rates"]]
    return "\n".join(lines)


@cli.command()
@click.argument("scene", required=False, default="dashboard", metavar="[SCENE]")
@data_options
@run_options
@click.option("--format", "output_format", default="both", show_default=True, metavar="FORMAT",
              help=f"{'|'.join(FORMATS)}: MP4, GIF, both, or the last frame as a PNG still.")
@click.option("--size", metavar="WxH", help="Frame size in pixels (default 1280x720).")
@click.option("--quality", metavar="NAME", help=f"{'|'.join(QUALITIES)}: 480p, 720p, 1080p.")
@click.option("--fps", type=float, default=30.0, show_default=True,
              help="Frames per second of the MP4 (Manim: its quality's, unless given).")
@click.option("--duration", type=float, default=5.0, show_default=True,
              help="Seconds of motion (the end is then held for a second).")
@click.option("--time", "time_scale", default="log", show_default=True, metavar="log|linear",
              help="How video time maps to epochs: log gives the early epochs more time.")
@click.option("--theme", default="light", show_default=True, metavar="light|dark", help="Colour theme.")
@click.option("--rotate", is_flag=True, help="Turn the camera slowly (surface scene).")
@click.option("--engine", default="matplotlib", show_default=True, metavar="matplotlib|manim",
              help="Renderer: matplotlib (fast, every scene) or manim (lecture quality: line, update-rule, contour, "
                   "surface, regimes).")
@click.option("--out", "out_dir", default="output", show_default=True, metavar="DIR", help="Output folder.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def render(scene: str, output_format: str, size: str | None, quality: str | None, fps: float, duration: float,
           time_scale: str, theme: str, rotate: bool, engine: str, out_dir: str, quiet: bool,
           **options: Any) -> None:
    """Render a scene to MP4 and GIF (or a PNG still).

    \b
    Scenes: dashboard (default), line, contour, surface, loss, regimes, compare.
    Files land at OUT/DATASET/SCENE-lrLR.EXT.

    \b
    Examples:
      gdviz render --lr 0.8                       watch divergence
      gdviz render line --regime good --format gif
      gdviz render regimes --dataset line --theme dark
      gdviz render compare --lr 0.05 --lr 0.1 --lr 0.3
      gdviz render line --engine manim --quality high
    """
    if engine == "manim":
        given = click.get_current_context().get_parameter_source("fps") is not click.core.ParameterSource.DEFAULT
        render_with_manim(scene, output_format, size, quality, fps if given else None, duration, time_scale, theme,
                          out_dir, quiet, options)
        return
    if engine != "matplotlib":
        raise GdvizInputError(f"unknown engine {engine!r}: choose matplotlib or manim"
                              f"{closest_hint(engine, ('matplotlib', 'manim'))}")
    check_scene(scene, 1 if scene not in ("regimes", "compare") else max(len(options["lr"]), 1))
    settings = RenderSettings(scene=scene, formats=_formats(output_format),
                              look=Look(*_frame_size(size, quality), theme=_theme(theme), rotate=rotate),
                              fps=fps, duration=duration, time=time_scale, out_dir=Path(out_dir))
    experiments = scene_experiments(scene, options)
    frames = 0 if settings.formats == ("png",) else frame_plan(settings, experiments).n_frames
    with _progress_bar(frames, quiet) as advance:
        written = render_scene(experiments, settings, advance)
    if not quiet:
        for file in written:
            click.echo(describe_written(file))


def render_with_manim(scene: str, output_format: str, size: str | None, quality: str | None, fps: float | None,
                      duration: float, time_scale: str, theme: str, out_dir: str, quiet: bool,
                      options: dict[str, Any]) -> None:
    """The Manim engine: same data, rate, duration, theme and --out; quality is Manim's (default low, 480p15), and
    an --fps given on the command line overrides its frame rate."""
    from scenes.manim.render import MANIM_QUALITIES, render_manim, scene_class

    scene_class(scene)  # an unknown scene, or Manim missing: a one-line error before any work
    formats = _formats(output_format)
    if "png" in formats:
        raise GdvizInputError("--format png is for the matplotlib engine; Manim renders mp4, gif or both")
    if quality is not None and quality not in MANIM_QUALITIES:
        raise GdvizInputError(f"unknown quality {quality!r} for Manim: choose one of {', '.join(MANIM_QUALITIES)}"
                              f"{closest_hint(quality, tuple(MANIM_QUALITIES))}")
    if size is not None and quality is not None:
        raise GdvizInputError(f"give either --size or --quality, not both (got --size {size} --quality {quality})")
    palette(theme)
    plan_frames(1, 1.0 if fps is None else fps, duration, time_scale)  # checks fps, duration, time as matplotlib
    written = render_manim(scene, scene_experiments(scene, options), Path(out_dir), formats, quality or "low",
                           theme, duration, time_scale, None if size is None else parse_size(size), fps)
    if not quiet:
        for file in written:
            click.echo(describe_written(file))


def scene_experiments(scene: str, options: dict[str, Any]) -> list[Experiment]:
    """One run per panel group: the four regime presets, the compared rates, or the single run asked for."""
    rates: tuple[float, ...] = options["lr"]
    if scene == "regimes":
        if rates or options["regime"]:
            raise GdvizInputError("the regimes scene shows the dataset's four regime presets: drop --lr/--regime "
                                  "(use 'compare --lr A --lr B ...' for chosen rates)")
        return [build_experiment(options | {"lr": None, "regime": regime}) for regime in REGIME_NAMES]
    if scene == "compare":
        if not 1 <= len(rates) <= MAX_COMPARED:
            raise GdvizInputError(f"compare needs 1 to {MAX_COMPARED} rates as --lr A --lr B ..., got {len(rates)}")
        return [build_experiment(options | {"lr": rate}) for rate in rates]
    if len(rates) > 1:
        raise GdvizInputError(f"scene {scene!r} shows one rate, got {len(rates)} (use 'compare' for several)")
    return [build_experiment(options | {"lr": rates[0] if rates else None})]


def describe_written(file: WrittenFile) -> str:
    """'wrote output/plane/dashboard-lr0.8.mp4  1280x720, 180 frames, 6.0 s, 412 KB'."""
    size = f"{file.size_bytes / 1e6:.2f} MB" if file.size_bytes >= 1e6 else f"{file.size_bytes / 1e3:.0f} KB"
    timing = "still" if file.frames == 1 else f"{file.frames} frames, {file.duration_s:.1f} s"
    return f"wrote {file.path}  {file.width}x{file.height}, {timing}, {size}"


def _formats(name: str) -> tuple[str, ...]:
    if name not in FORMATS:
        raise GdvizInputError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}"
                              f"{closest_hint(name, tuple(FORMATS))}")
    return FORMATS[name]


def _frame_size(size: str | None, quality: str | None) -> tuple[int, int]:
    if size is not None and quality is not None:
        raise GdvizInputError(f"give either --size or --quality, not both (got --size {size} --quality {quality})")
    if size is not None:
        return parse_size(size)
    if quality is not None and quality not in QUALITIES:
        raise GdvizInputError(f"unknown quality {quality!r}: choose one of {', '.join(QUALITIES)}"
                              f"{closest_hint(quality, tuple(QUALITIES))}")
    return QUALITIES[quality or "medium"]


def _theme(name: str) -> str:
    palette(name)
    return name


@contextlib.contextmanager
def _progress_bar(frames: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A bar on stderr while frames are drawn, only when stderr is a terminal and not --quiet."""
    if quiet or frames == 0 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=frames, label="rendering", file=sys.stderr) as bar:
        yield bar.update


@cli.command()
@data_options
@run_options
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
    formats = formats or ("png", "svg")
    for fmt in formats:
        if fmt not in FIGURE_FORMATS:
            raise GdvizInputError(f"unknown figure format {fmt!r}: choose one of {', '.join(FIGURE_FORMATS)}"
                                  f"{closest_hint(fmt, tuple(FIGURE_FORMATS))}")
    from scenes.figures import lab_figures  # the still figures' code: loaded only for this command

    main_run, compared = figure_runs(options)
    folder = prepare_output_dir(Path(out_dir) / main_run.dataset.name)
    for name, figure in lab_figures(main_run, compared, _theme(theme)).items():
        for fmt in formats:
            path = save_figure(figure, folder / f"figure-{name}.{fmt}", fmt)
            if not quiet:
                click.echo(f"wrote {path}")


def figure_runs(options: dict[str, Any]) -> tuple[Experiment, list[Experiment]]:
    """The main run and the runs compared, as `gdviz figures` documents."""
    rates: tuple[float, ...] = options["lr"]
    if len(rates) > 1:
        return (build_experiment(options | {"lr": None}),
                [build_experiment(options | {"lr": rate, "regime": None}) for rate in rates])
    main_run = build_experiment(options | {"lr": rates[0] if rates else None})
    compared = [build_experiment(options | {"lr": None, "regime": regime}) for regime in ("slow", "good", "jumping")]
    if all(run.trajectory.lr != main_run.trajectory.lr for run in compared):
        compared.append(main_run)
    return main_run, compared


@cli.command(name="list")
def list_command() -> None:
    """The datasets, optimisers, regimes and scenes gdviz knows.

    \b
    Example:
      gdviz list
    """
    click.echo("datasets:   " + ", ".join(DATASET_NAMES) + "  (or --data FILE.csv --x COLS --y COL)")
    click.echo("optimizers: " + ", ".join(OPTIMIZER_NAMES))
    click.echo("regimes:    " + ", ".join(REGIME_NAMES))
    click.echo("scenes:     " + ", ".join(SCENE_NAMES))


def main() -> None:
    cli()
