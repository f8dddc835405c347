"""The explorable page (`gdviz html`): one self-contained HTML file with a learning-rate slider over precomputed runs,
play, step and an epoch scrubber, and linked plotly views of the fit, the contour path, the loss and the 3D bowl.

Every number is computed here, by gdcore, once; the page's own script only picks which precomputed state to show.
Nothing is fetched when the page runs (plotly.js is inlined) unless `cdn=True` asks for plotly's CDN.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from gdcore.datasets import Dataset
from gdcore.errors import GdvizInputError
from gdcore.experiment import Experiment, RunRequest, check_rate, prepare
from gdcore.grid import LossGrid, slice_grid
from gdcore.regimes import STABLE_BELOW, Regime, preset_rate, preset_rates, round_significant
from gdcore.slices import Slice, default_axes, optimum_slice
from scenes.encoder import write_text
from scenes.figures import GRID_MARGIN
from scenes.limits import still_box
from scenes.theme import LIGHT, REGIME_COLORS

RATE_COUNT = 24  # log-spaced rates from the slow preset to past 2/L
TOP_ETA_L = 2.3  # the largest precomputed rate's η·L: far enough past 2 to diverge plainly
RATE_DIGITS = 3  # the precomputed rates are rounded to this many significant digits
MAX_EPOCHS_SHOWN = 150  # a longer run keeps this many epochs, log-spaced (every early epoch, fewer later)
DIGITS = 4  # significant digits of the embedded numbers
MAX_POINTS = 200  # the fit view shows a seeded sample of at most this many rows
GRID_RESOLUTION = 41  # the contours' grid, a side
BOWL_STRIDE = 2  # the bowl takes every second grid line (21 a side): plotly recomputes a surface on every update,
# and 41 a side costs ~700 ms a frame without a GPU against ~150 ms (measured in headless Chromium)
PLOT_HEIGHT = 340  # pixels, each of the four views
EXPLORABLE_OPTIMIZERS = ("gd", "sgd")  # constant-rate methods: η·L regimes describe them
PLOTLY_CDN = "https://cdn.plot.ly/plotly-{version}.min.js"
DEFAULT_REQUEST = RunRequest()  # the dataset's tutorial settings


def explore_rates(lambda_max: float, extra: Sequence[float] = ()) -> tuple[float, ...]:
    """RATE_COUNT rates log-spaced from the slow preset to TOP_ETA_L / L, the four regime presets (the rates every
    other command shows), and every rate in `extra`; ascending, without repeats."""
    low, high = preset_rate(Regime.SLOW, lambda_max), TOP_ETA_L / lambda_max
    spaced = (round_significant(float(rate), RATE_DIGITS) for rate in np.geomspace(low, high, RATE_COUNT))
    presets = preset_rates(lambda_max).values()
    return tuple(sorted({*spaced, *presets, *(check_rate(rate) for rate in extra)}))


def explore_runs(dataset: Dataset, rates: Sequence[float] | None = None,
                 run_request: RunRequest = DEFAULT_REQUEST) -> list[Experiment]:
    """One experiment per explored rate (see explore_rates), each with `run_request`'s other settings."""
    if run_request.optimizer not in EXPLORABLE_OPTIMIZERS:
        raise GdvizInputError(
            f"the explorable page shows constant-rate methods ({', '.join(EXPLORABLE_OPTIMIZERS)}), "
            f"not {run_request.optimizer!r}"
        )
    base = replace(run_request, lr=None, regime=None)
    lambda_max = prepare(dataset, replace(base, epochs=1)).problem.lambda_max
    return [prepare(dataset, replace(base, lr=rate)) for rate in explore_rates(lambda_max, rates or ())]


def explore_page(dataset: Dataset, rates: Sequence[float] | None = None, run_request: RunRequest = DEFAULT_REQUEST,
                 cdn: bool = False) -> str:
    """The page as one HTML document: plotly.js inlined (about 4.8 MB), or loaded from plotly's CDN with `cdn`."""
    experiments = explore_runs(dataset, rates, run_request)
    data = page_data(experiments, initial=_initial_run(experiments, rates))
    return _document(data, _plotly_script(cdn))


def write_explore_page(path: Path, dataset: Dataset, rates: Sequence[float] | None = None,
                       run_request: RunRequest = DEFAULT_REQUEST, cdn: bool = False) -> Path:
    """explore_page written to `path`, atomically."""
    return write_text(explore_page(dataset, rates, run_request, cdn), Path(path))


def explore_path(out_dir: Path, dataset: Dataset, rates: Sequence[float] | None = None, cdn: bool = False) -> Path:
    """<out>/<dataset>/explore[-lr<rates>][-cdn].html: different settings, different names."""
    stem = "explore" + ("-lr" + "-".join(f"{rate:g}" for rate in rates) if rates else "") + ("-cdn" if cdn else "")
    return Path(out_dir) / dataset.name / f"{stem}.html"


# ── The numbers ────────────────────────────────────────────────────────────────────────────────────────────


def shown_epochs(epochs_run: int, max_shown: int = MAX_EPOCHS_SHOWN) -> np.ndarray:
    """The epochs a run keeps: all of them up to `max_shown`, else log-spaced from 0 to the last (ints, ascending)."""
    if epochs_run + 1 <= max_shown:
        return np.arange(epochs_run + 1)
    spaced = np.rint(np.expm1(np.linspace(0.0, math.log1p(epochs_run), max_shown))).astype(int)
    return np.unique(np.concatenate([spaced, [0, epochs_run]]))


def rounded(values: np.ndarray | Sequence[float], digits: int = DIGITS) -> Any:
    """Nested lists of floats rounded to `digits` significant digits: the page's numbers, kept short."""
    array = np.asarray(values, dtype=float)
    flat = [float(f"{value:.{digits}g}") for value in array.ravel()]
    return np.array(flat).reshape(array.shape).tolist()


def page_data(experiments: Sequence[Experiment], initial: int = 0) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data: the runs, the sampled rows, the grid and the four figures."""
    first = experiments[0]
    dataset, problem = first.dataset, first.problem
    # One slice for every run, through the optimum: the bowl and the contours stay put as the rate changes.
    section = optimum_slice(problem, default_axes(problem.n_params))
    axes = section.axes
    rows = _sample_rows(dataset.n_samples)
    grid = _grid(experiments, section)
    runs = [_run_data(experiment, section) for experiment in experiments]
    names = [dataset.param_names[k] for k in axes]
    return {
        "title": f"{dataset.name}: gradient descent, learning rate by learning rate",
        "about": _about(first),
        "axes": list(axes),
        "fit": _fit_data(dataset, rows),
        "view": {"x": rounded(grid.first_values[[0, -1]]), "y": rounded(grid.second_values[[0, -1]]),
                 "zTop": float(f"{np.max(grid.loss):.{DIGITS}g}")},
        "optimum": rounded(problem.closed_form),
        "optimumLoss": float(f"{max(float(problem.loss(problem.closed_form)), 0.0):.{DIGITS}g}"),
        "regimeColors": {regime.value: color for regime, color in REGIME_COLORS.items()},
        "runs": runs,
        "initial": initial,
        "figures": _figures(dataset, rows, grid, names, problem.closed_form),
    }


def _run_data(experiment: Experiment, section: Slice) -> dict[str, Any]:
    """The run's shown epochs, weights and loss; `height` is the slice's loss under its path, so the path lies on
    the bowl (the loss itself also counts the held parameters)."""
    trajectory, rate = experiment.trajectory, experiment.rate
    epochs = shown_epochs(trajectory.epochs_run)
    weights = trajectory.weights[epochs]
    floor = max(float(trajectory.loss[0]), 1e-300) * 1e-15  # a perfect fit shows 15 decades down, not -inf
    first, second = section.axes
    heights = section.loss(weights[:, first], weights[:, second])
    return {
        "lr": trajectory.lr,
        "etaL": float(f"{rate.eta_lambda_max:.3g}"),
        "regime": rate.regime.value,
        "growth": float(f"{rate.growth:.3g}"),
        "status": trajectory.status,
        "divergedAt": trajectory.diverged_at,
        "epochs": epochs.tolist(),
        "weights": rounded(weights),
        "loss": rounded(np.maximum(trajectory.loss[epochs], floor)),
        "height": rounded(heights),
    }


def _grid(experiments: Sequence[Experiment], section: Slice) -> LossGrid:
    """The slice's loss around the start, the optimum and every stable run's path (η·L < 2: diverging paths leave
    the view, since following them would shrink the bowl to a dot)."""
    axes = list(section.axes)
    kept = [e.trajectory.weights[:, axes] for e in experiments if e.rate.eta_lambda_max < STABLE_BELOW]
    points = np.vstack([*kept, section.centre[None, :], experiments[0].init[None, axes]])
    box = still_box(points, GRID_MARGIN)
    return slice_grid(section, (box.low[0], box.high[0]), (box.low[1], box.high[1]), GRID_RESOLUTION)


def _sample_rows(n_samples: int, max_rows: int = MAX_POINTS) -> np.ndarray:
    """A seeded sample of row indices (all rows when there are few), ascending."""
    if n_samples <= max_rows:
        return np.arange(n_samples)
    return np.sort(np.random.default_rng(0).choice(n_samples, max_rows, replace=False))


def _fit_data(dataset: Dataset, rows: np.ndarray) -> dict[str, Any]:
    """What the script needs to draw a run's fit: the line's x-range (one feature), or the sampled rows' features and
    targets (more features: predicted against actual)."""
    y_range = rounded(_padded(dataset.target[rows]))
    if dataset.n_features == 1:
        return {"kind": "line", "xRange": rounded(_padded(dataset.features[rows, 0], 0.05)), "yRange": y_range}
    return {"kind": "predicted", "features": rounded(dataset.features[rows]), "y": rounded(dataset.target[rows]),
            "yRange": y_range}


def _padded(values: np.ndarray, pad: float = 0.15) -> list[float]:
    low, high = float(np.min(values)), float(np.max(values))
    span = high - low or max(abs(high), 1.0)
    return [low - pad * span, high + pad * span]


def _initial_run(experiments: Sequence[Experiment], rates: Sequence[float] | None) -> int:
    """The run shown first: the first rate the user gave, else the 'good' preset's."""
    lrs = np.array([e.trajectory.lr for e in experiments])
    shown = rates[0] if rates else preset_rate(Regime.GOOD, experiments[0].problem.lambda_max)
    return int(np.argmin(np.abs(np.log(lrs / shown))))


def _about(experiment: Experiment) -> str:
    dataset, trajectory = experiment.dataset, experiment.trajectory
    init = ", ".join(f"{name} = {value:g}" for name, value in zip(dataset.param_names, experiment.init, strict=True))
    return (f"{dataset.n_samples} rows{' (standardized)' if dataset.standardized else ''}, target "
            f"{dataset.target_name}, features {', '.join(dataset.feature_names)}. {dataset.source}. "
            f"Optimizer {trajectory.optimizer}, cost {experiment.problem.cost}, up to {experiment.epochs} epochs, "
            f"start {init}; L = λ_max(H) = {experiment.problem.lambda_max:.4g}.")


# ── The four views, as plotly figures; the page's script restyles their traces ─────────────────────────────────


def _figures(dataset: Dataset, rows: np.ndarray, grid: LossGrid, names: list[str],
             optimum: np.ndarray) -> dict[str, Any]:
    """The four views with their fixed parts drawn; the page's script fills in the run's traces."""
    figures = {
        "fit": _fit_figure(dataset, rows),
        "contour": _contour_figure(grid, names, optimum[list(grid.axes)]),
        "loss": _loss_figure(),
        "bowl": _bowl_figure(grid, names),
    }
    return {name: json.loads(pio.to_json(figure, validate=True, engine="json")) for name, figure in figures.items()}


def _layout(title: str, **options: Any) -> go.Layout:
    options = {"margin": {"l": 60, "r": 20, "t": 40, "b": 50}} | options
    return go.Layout(
        title={"text": title, "x": 0.02, "font": {"size": 15}}, height=PLOT_HEIGHT,
        paper_bgcolor=LIGHT.background, plot_bgcolor=LIGHT.background,
        font={"family": "DejaVu Sans, Verdana, sans-serif", "color": LIGHT.foreground, "size": 12},
        showlegend=False, uirevision="keep", **options,
    )


def _text(name: str) -> str:
    """A data name (a CSV header) as plotly text: plotly reads a few HTML tags in text, so escape it."""
    return html.escape(name)


def _fit_figure(dataset: Dataset, rows: np.ndarray) -> go.Figure:
    """Trace 1 is the run's: the line (one feature) or the predictions against the targets (more features)."""
    target, y_range = dataset.target[rows], _padded(dataset.target[rows])
    marker = {"color": LIGHT.data, "size": 6, "opacity": 0.7}
    if dataset.n_features == 1:
        x = dataset.features[rows, 0]
        points = go.Scatter(x=rounded(x), y=rounded(target), mode="markers", marker=marker, name="data")
        line = go.Scatter(mode="lines", line={"color": LIGHT.fit, "width": 3}, name="fit")
        x_axis = {"title": {"text": _text(dataset.feature_names[0])}, "range": _padded(x, 0.05)}
        y_axis = {"title": {"text": _text(dataset.target_name)}, "range": y_range}
        layout = _layout("The fit", xaxis=x_axis, yaxis=y_axis)
        return go.Figure([points, line], layout)
    diagonal = go.Scatter(x=y_range, y=y_range, mode="lines", name="ŷ = y",
                          line={"color": LIGHT.optimum, "dash": "dash", "width": 1})
    points = go.Scatter(mode="markers", marker=marker | {"color": LIGHT.fit}, name="rows")
    name = _text(dataset.target_name)
    layout = _layout("The fit: predicted against actual", xaxis={"title": {"text": f"actual {name}"}, "range": y_range},
                     yaxis={"title": {"text": f"predicted {name}"}, "range": y_range})
    return go.Figure([diagonal, points], layout)


def _contour_figure(grid: LossGrid, names: list[str], optimum: np.ndarray) -> go.Figure:
    """Traces 1 and 2 are the run's: its path and where it is now."""
    log_loss = np.log10(np.maximum(grid.loss, np.max(grid.loss) * 1e-12))
    contours = go.Contour(x=rounded(grid.first_values), y=rounded(grid.second_values), z=rounded(log_loss),
                          colorscale=LIGHT.colormap.capitalize(), ncontours=20, line={"width": 0.5},
                          colorbar={"title": {"text": "log₁₀ loss"}, "thickness": 12}, hoverinfo="skip")
    path = go.Scatter(mode="lines+markers", line={"color": LIGHT.path, "width": 2},
                      marker={"size": 4, "color": LIGHT.path}, name="path")
    now = go.Scatter(mode="markers", marker={"size": 12, "color": LIGHT.path, "line": {"color": "white", "width": 2}})
    best = go.Scatter(x=rounded(optimum[:1]), y=rounded(optimum[1:]), mode="markers", name="optimum",
                      marker={"symbol": "x", "size": 11, "color": LIGHT.optimum})
    ranges = {"xaxis": {"title": {"text": _text(names[0])}, "range": [grid.first_values[0], grid.first_values[-1]]},
              "yaxis": {"title": {"text": _text(names[1])}, "range": [grid.second_values[0], grid.second_values[-1]]}}
    return go.Figure([contours, path, now, best], _layout("The path over the loss contours", **ranges))


def _loss_figure() -> go.Figure:
    """All four traces are the run's: the whole curve, the part so far, now, the closed-form loss."""
    whole = go.Scatter(mode="lines", line={"color": LIGHT.muted, "width": 1.5}, name="whole run")
    so_far = go.Scatter(mode="lines", line={"width": 2.5}, name="so far")
    now = go.Scatter(mode="markers", marker={"size": 10}, name="now")
    best = go.Scatter(mode="lines", line={"color": LIGHT.optimum, "dash": "dash", "width": 1}, name="best possible")
    layout = _layout("The loss (log scale)", xaxis={"title": {"text": "epoch"}},
                     yaxis={"title": {"text": "loss"}, "type": "log", "exponentformat": "power"})
    return go.Figure([whole, so_far, now, best], layout)


def _bowl_figure(grid: LossGrid, names: list[str]) -> go.Figure:
    """Traces 1 and 2 are the run's: its path on the slice and where it is now."""
    every = slice(None, None, BOWL_STRIDE)
    surface = go.Surface(x=rounded(grid.first_values[every]), y=rounded(grid.second_values[every]),
                         z=rounded(grid.loss[every, every]),
                         colorscale=LIGHT.colormap.capitalize(), opacity=0.85, showscale=False, hoverinfo="skip")
    path = go.Scatter3d(mode="lines+markers", line={"color": LIGHT.path, "width": 5},
                        marker={"size": 2.5, "color": LIGHT.path})
    now = go.Scatter3d(mode="markers", marker={"size": 8, "color": LIGHT.path, "line": {"color": "white", "width": 2}})
    scene = {"xaxis": {"title": {"text": _text(names[0])}, "range": [grid.first_values[0], grid.first_values[-1]]},
             "yaxis": {"title": {"text": _text(names[1])}, "range": [grid.second_values[0], grid.second_values[-1]]},
             "zaxis": {"title": {"text": "loss"}, "range": [0, float(np.max(grid.loss))]},
             "camera": {"eye": {"x": 1.65, "y": -1.65, "z": 1.0}}, "aspectmode": "cube"}
    layout = _layout("The bowl (drag to turn)", scene=scene, margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return go.Figure([surface, path, now], layout)


# ── The document ──────────────────────────────────────────────────────────────────────────────────────────────


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: '<', '>' and '&' as \\u escapes, so no '</script>' or '<!--' can appear."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plotly_script(cdn: bool) -> str:
    if cdn:
        url = PLOTLY_CDN.format(version=get_plotlyjs_version())
        return f'<script src="{html.escape(url)}" charset="utf-8"></script>'
    return f"<script>{get_plotlyjs()}</script>"


def _gdviz_version() -> str:
    try:
        return version("gdviz")
    except PackageNotFoundError:
        return "0+unknown"


def _document(data: dict[str, Any], plotly_script: str) -> str:
    title = html.escape(data["title"])
    runs = data["runs"]
    footer = (f"gdviz {_gdviz_version()} · {len(runs)} precomputed runs, η from {runs[0]['lr']:g} to "
              f"{runs[-1]['lr']:g} · plotly.js {get_plotlyjs_version()}")
    return (
        _TEMPLATE.replace("{{title}}", title)
        .replace("{{version}}", html.escape(_gdviz_version()))
        .replace("{{footer}}", html.escape(footer))
        .replace("{{about}}", html.escape(data["about"]))
        .replace("{{plotly}}", plotly_script, 1)
        .replace("{{data}}", script_json(data), 1)
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gdviz {{version}}">
<title>{{title}} · gdviz</title>
<style>
  body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto;
         max-width: 1280px; padding: 12px 20px; }
  h1 { font-size: 20px; margin: 4px 0; }
  .about { font-size: 13px; color: #555; margin: 0 0 10px; }
  .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 8px 12px;
              background: #f4f4f4; border-radius: 8px; }
  .controls label { display: flex; align-items: center; gap: 8px; font-size: 14px; }
  .controls input[type=range] { width: 260px; }
  button { font-size: 14px; padding: 4px 12px; min-width: 44px; cursor: pointer; }
  .status { display: flex; align-items: center; gap: 12px; margin: 10px 0 4px; font-size: 15px; }
  #regime { color: #fff; font-weight: bold; padding: 3px 12px; border-radius: 12px; }
  #readout { font-variant-numeric: tabular-nums; border-bottom: 3px solid transparent; padding-bottom: 1px; }
  .views { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
  .views > div { min-width: 0; border: 1px solid #e4e4e4; border-radius: 6px; }
  @media (max-width: 800px) { .views { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<h1>{{title}}</h1>
<p class="about">{{about}}</p>
<div class="controls">
  <button id="play" type="button" aria-label="play">▶ Play</button>
  <button id="step-back" type="button" title="one step back">◀ step</button>
  <button id="step-forward" type="button" title="one step forward">step ▶</button>
  <label>learning rate η <input id="lr" type="range" min="0" max="0" step="1" value="0">
    <output id="lr-value"></output></label>
  <label>epoch <input id="epoch" type="range" min="0" max="0" step="1" value="0">
    <output id="epoch-value"></output></label>
</div>
<div class="status"><span id="regime"></span><span id="readout"></span></div>
<div class="views">
  <div id="view-fit"></div><div id="view-contour"></div>
  <div id="view-loss"></div><div id="view-bowl"></div>
</div>
<p class="about">{{footer}}</p>
{{plotly}}
<script type="application/json" id="gdviz-data">{{data}}</script>
<script>
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("gdviz-data").textContent);
  const $ = (id) => document.getElementById(id);
  const lr = $("lr"), epoch = $("epoch"), play = $("play");
  // The bowl at the screen's own pixel ratio (plotly's default, 2, renders four times the pixels on a plain screen).
  const config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage", "sendDataToCloud"],
                  plotGlPixelRatio: Math.max(1, Math.min(2, window.devicePixelRatio || 1))};
  const [I, J] = D.axes;
  let run = D.initial, k = 0, timer = null, fitNote = "", path = null, pending = null, painted = {run: -1, k: -1};

  function current() { return D.runs[run]; }
  function predict(w, row) { let s = w[0]; for (let j = 0; j < row.length; j++) s += w[j + 1] * row[j]; return s; }
  function inside(v, r) { return v >= Math.min(r[0], r[1]) && v <= Math.max(r[0], r[1]); }
  function fmt(v) {
    return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4);
  }

  function fitTrace(w) {
    const f = D.fit;
    if (f.kind === "line") return {x: [f.xRange], y: [[w[0] + w[1] * f.xRange[0], w[0] + w[1] * f.xRange[1]]]};
    return {x: [f.y], y: [f.features.map((row) => predict(w, row))]};
  }

  // The readouts follow every input at once; the views are repainted once per animation frame at most, one restyle
  // per view (each call redraws its view, and a 3D redraw is slow without a GPU), so dragging a slider never queues
  // up stale pictures.
  function bowlPath(r) {
    const keep = (w, h) => inside(w[I], D.view.x) && inside(w[J], D.view.y) && h <= D.view.zTop;
    const kept = (f) => r.weights.map((w, i) => (keep(w, r.height[i]) ? f(w, i) : null));
    return {x: kept((w) => w[I]), y: kept((w) => w[J]), z: kept((w, i) => r.height[i])};
  }

  function showRun() {
    const r = current(), color = D.regimeColors[r.regime];
    epoch.max = r.epochs.length - 1;
    lr.value = run;
    lr.setAttribute("aria-valuetext", "η = " + r.lr);
    $("lr-value").textContent = "η = " + r.lr + " (" + (run + 1) + " of " + D.runs.length + ")";
    const badge = $("regime");
    badge.textContent = r.regime;
    badge.style.background = color;
    $("readout").style.borderColor = color;
  }

  function showEpoch() {
    const r = current(), e = r.epochs[k];
    epoch.value = k;
    epoch.setAttribute("aria-valuetext", "epoch " + e);
    $("epoch-value").textContent = e + " / " + r.epochs[r.epochs.length - 1];
    const status = r.status === "diverged" ? " · diverged at epoch " + r.divergedAt : "";
    $("readout").textContent = "epoch " + e + " · loss " + fmt(r.loss[k]) + " · η·L " + r.etaL +
      " · growth ×" + r.growth + " per step" + status;
  }

  function paintRun() {
    const r = current(), color = D.regimeColors[r.regime];
    const last = r.epochs[r.epochs.length - 1];
    const decades = Math.log10(Math.max(...r.loss) / Math.min(...r.loss, D.optimumLoss || Infinity));
    Plotly.restyle("view-loss", {x: [r.epochs, [0, Math.max(last, 1)]], y: [r.loss, [D.optimumLoss, D.optimumLoss]]},
                   [0, 3]);
    // Labels every decade (every few for a diverging run), or at 1, 2, 5 within a narrow span.
    Plotly.update("view-loss", {"line.color": color, "marker.color": color},
                  {"yaxis.dtick": decades >= 2 ? Math.ceil(decades / 6) : "D2"}, [1, 2]);
    path = {contour: {x: r.weights.map((w) => w[I]), y: r.weights.map((w) => w[J])}, bowl: bowlPath(r)};
  }

  function paintEpoch() {
    const r = current(), w = r.weights[k], e = r.epochs[k];
    const fit = fitTrace(w);
    const off = fit.y[0].filter((v) => !inside(v, D.fit.yRange));
    const farthest = off.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    const note = off.length ? "ŷ off the chart, as far as " + fmt(farthest) : "";
    const annotations = note ? [{text: note, x: 0.5, y: 0.95, xref: "paper", yref: "paper", showarrow: false,
                                 font: {color: D.regimeColors.divergent, size: 13}}] : [];
    if (note !== fitNote) Plotly.update("view-fit", fit, {annotations: annotations}, [1]);
    else Plotly.restyle("view-fit", fit, [1]);
    fitNote = note;
    Plotly.restyle("view-loss", {x: [r.epochs.slice(0, k + 1), [e]], y: [r.loss.slice(0, k + 1), [r.loss[k]]]}, [1, 2]);
    Plotly.restyle("view-contour", {x: [path.contour.x, [w[I]]], y: [path.contour.y, [w[J]]]}, [1, 2]);
    const seen = inside(w[I], D.view.x) && inside(w[J], D.view.y);
    const b = path.bowl, at = (v) => (seen ? v : null);
    Plotly.restyle("view-bowl", {x: [b.x, [at(w[I])]], y: [b.y, [at(w[J])]], z: [b.z, [at(r.height[k])]]}, [1, 2]);
  }

  function paint() {
    pending = null;
    if (painted.run !== run) paintRun();
    if (painted.run !== run || painted.k !== k) paintEpoch();
    painted = {run: run, k: k};
  }
  function schedule() { if (pending === null) pending = requestAnimationFrame(paint); }

  function setRun(i) {
    const fraction = k / Math.max(current().epochs.length - 1, 1);
    run = Math.max(0, Math.min(i, D.runs.length - 1));
    k = Math.round(fraction * (current().epochs.length - 1));
    showRun();
    showEpoch();
    schedule();
  }
  function setEpoch(i) {
    k = Math.max(0, Math.min(i, current().epochs.length - 1));
    showEpoch();
    schedule();
  }
  function stop() { if (timer !== null) { clearTimeout(timer); timer = null; } play.textContent = "▶ Play"; }
  function tick() {
    if (k >= current().epochs.length - 1) { stop(); return; }
    setEpoch(k + 1);
    timer = setTimeout(tick, 60);
  }
  function start() {
    if (k >= current().epochs.length - 1) setEpoch(0);
    play.textContent = "❚❚ Pause";
    timer = setTimeout(tick, 60);
  }

  const figs = D.figures;
  Plotly.newPlot("view-fit", figs.fit.data, figs.fit.layout, config);
  Plotly.newPlot("view-contour", figs.contour.data, figs.contour.layout, config);
  Plotly.newPlot("view-loss", figs.loss.data, figs.loss.layout, config);
  Plotly.newPlot("view-bowl", figs.bowl.data, figs.bowl.layout, config);

  lr.max = D.runs.length - 1;
  lr.addEventListener("input", () => setRun(Number(lr.value)));
  epoch.addEventListener("input", () => { stop(); setEpoch(Number(epoch.value)); });
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  $("step-back").addEventListener("click", () => { stop(); setEpoch(k - 1); });
  $("step-forward").addEventListener("click", () => { stop(); setEpoch(k + 1); });
  showRun();
  showEpoch();
  paint();
  document.body.dataset.ready = "true";
})();
</script>
</body>
</html>
"""
