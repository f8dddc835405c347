"""The lab's still figures (tutorial 1) as matplotlib Figures: convergence, loss surface, fit, learning rates.

Reads finished experiments only: it never takes a gradient step, and never writes a file (the encoder saves).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from gdcore.experiment import Experiment
from gdcore.grid import LossGrid, slice_grid
from gdcore.regimes import Regime
from gdcore.slices import default_axes, final_slice
from gdcore.sweep import Sweep
from scenes.captions import figure_title, held_note, rate_label, run_regime
from scenes.limits import log_limits, still_box
from scenes.theme import Palette, matplotlib_style, palette, regime_color, style_3d_axes

FIGURE_NAMES: tuple[str, ...] = ("convergence", "surface", "fit", "rates")

FIGURE_SIZE = (12.8, 7.2)  # inches: 1280×720 at FIGURE_DPI, a 16:9 slide
FIGURE_DPI = 100
FONT_SIZE = 14.0  # points: legible on a slide at 1280×720
SURFACE_RESOLUTION = 120  # the lab's grid: 120×120 points
SURFACE_FACETS = 60  # plot_surface draws at most this many facets a side (the grid is sampled down)
CONTOUR_LEVELS = 20
# The surface figure's panels, placed by hand in figure fractions (left, bottom, width, height).
SURFACE_RECT = (0.0, 0.08, 0.49, 0.82)
SURFACE_RECT_Z_LEFT = (0.05, 0.08, 0.49, 0.82)  # room at the left for the z-axis when the view puts it there
CONTOUR_RECT = (0.6, 0.13, 0.28, 0.74)
COLORBAR_RECT = (0.893, 0.13, 0.014, 0.74)
GRID_MARGIN = 0.12  # the surface's range reaches this fraction of the path's span past it on each side
PLANE_BOX_ASPECT, PLANE_ZOOM = (1.5, 1.1, 0.85), 1.12  # the fitted plane's 3D box: wide, to fill the slide
RATES_HEADROOM = 1.1  # the linear rates panel shows up to 1.1× the largest initial loss
PLAIN_LOG_DECADES = 4  # a log axis spanning at most this many decades is labelled 0.2, 0.5, 1, 2, ...
LOG_PAD = 1.6  # a figure's log axis reaches this factor past its extreme values
LEGEND_COLUMNS_BELOW = 4  # up to this many parameters, the weights' legend sits below its panel
# One colour per parameter (Paul Tol's 'bright' set: colour-blind safe, readable on both backgrounds).
PARAM_COLORS: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
# Line styles that tell apart two compared runs of the same regime (the colour is the regime's).
RUN_STYLES: tuple[object, ...] = ("-", (0, (6, 2)), "-.", (0, (1, 1.5)))
# The four corner views of a 3D box (matplotlib's default azimuth −60°, turned by quarter turns): the camera sits
# over the floor corner (x_max if cos(azim) > 0 else x_min, y_max if sin(azim) > 0 else y_min).
CORNER_AZIMUTHS: tuple[float, ...] = (-60.0, 30.0, 120.0, -150.0)
Z_AXIS_LEFT_AZIMUTHS = frozenset({30.0, -150.0})  # in these corner views matplotlib draws the z-axis at the left
SURFACE_ELEVATION = 28.0
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
SCALED_FROM = 1e4  # an axis reaching past ±1e4 is labelled in units of 10^p, named in its label ("w1 (×10⁷)")
SYMLOG_MARGIN = 0.05  # the diverged weights' padding, a fraction of the span on the symlog axis (not in data units)


def lab_figures(experiment: Experiment, comparison: Sequence[Experiment], theme: str = "light", *,
                resolution: int = SURFACE_RESOLUTION) -> dict[str, Figure]:
    """The lab's four figures, keyed by FIGURE_NAMES; `comparison` feeds the rates figure (empty: the run alone)."""
    return {
        "convergence": convergence_figure(experiment, theme),
        "surface": surface_figure(experiment, theme, resolution=resolution),
        "fit": fit_figure(experiment, theme),
        "rates": rates_figure(list(comparison) or [experiment], theme),
    }


# ── Shared pieces ─────────────────────────────────────────────────────────────────────────────────────────────


@contextmanager
def _styled_figure(theme: str, layout: str | None = "constrained") -> Iterator[tuple[Figure, Palette]]:
    """A slide-sized Figure built under the theme's rcParams, then drawn once without output while they hold.

    Ticks are created lazily and read rcParams when they are; drawing here makes every tick, label and layout
    take this style, so saving the figure later, under any rcParams, shows the same picture (checked: pixel for
    pixel the save made inside the style; only touching each axis's first tick was not).
    """
    colors = palette(theme)
    with matplotlib.rc_context(matplotlib_style(colors, FONT_SIZE)):
        figure = Figure(figsize=FIGURE_SIZE, dpi=FIGURE_DPI, layout=layout)
        yield figure, colors
        figure.draw_without_rendering()


def cost_label(experiment: Experiment) -> str:
    return "½·MSE" if experiment.problem.cost == "half-mse" else "MSE"


def log_axis(axes: Axes, limits: tuple[float, float]) -> None:
    """A log y-axis over `limits`; spanning few decades, it is labelled at 1, 2 and 5 of each in plain numbers."""
    axes.set_yscale("log")
    axes.set_ylim(*limits)
    if np.log10(limits[1] / limits[0]) <= PLAIN_LOG_DECADES:
        axes.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.yaxis.set_minor_formatter(NullFormatter())


def plural(count: int, noun: str) -> str:
    """'1 epoch', '300 epochs'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def epoch_axis(axes: Axes, last_epoch: int) -> None:
    """x from epoch 0 to the last, ticks at whole epochs only (a run that stopped at epoch 1 has no epoch 0.2)."""
    axes.set_xlim(0, max(last_epoch, 1))
    axes.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))  # AutoLocator's
    axes.set_xlabel("epoch")


def scale_power(values: np.ndarray) -> int:
    """p such that the values read best as multiples of 10^p: 0 unless they reach SCALED_FROM in magnitude."""
    largest = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return int(np.floor(np.log10(largest))) if largest >= SCALED_FROM else 0


def scaled_label(name: str, power: int) -> str:
    """'w1' or 'w1 (×10⁷)' (superscript digits: a line no taller than the plain label's)."""
    return name if power == 0 else f"{name} (×10{str(power).translate(SUPERSCRIPTS)})"


def scale_axis(axis: object, values: np.ndarray, name: str) -> str:
    """Label the axis's ticks as value / 10^p (matplotlib's offset text '1e7' lands on 3D tick labels); returns
    the axis label naming the unit."""
    power = scale_power(values)
    if power:
        axis.set_major_formatter(FuncFormatter(  # type: ignore[attr-defined]
            lambda value, _: f"{value / 10.0**power:g}".replace("-", "−")))
    return scaled_label(name, power)


def _legend(axes: Axes, **options: object) -> None:
    options.setdefault("framealpha", 0.85)
    legend = axes.legend(frameon=True, **options)
    frame = legend.get_frame()
    frame.set_facecolor(matplotlib.rcParams["axes.facecolor"])
    frame.set_edgecolor(matplotlib.rcParams["grid.color"])


# ── 1. Convergence: loss and weights over epochs ──────────────────────────────────────────────────────────────


def convergence_figure(experiment: Experiment, theme: str = "light") -> Figure:
    """MSE over epochs (log scale, closed-form minimum dashed) beside each weight's curve and its reference value."""
    with _styled_figure(theme) as (figure, colors):
        loss_axes, weight_axes = figure.subplots(1, 2)
        _draw_loss(loss_axes, experiment, colors)
        _draw_weights(weight_axes, experiment)
        figure.suptitle(figure_title(experiment))
    return figure


def _draw_loss(axes: Axes, experiment: Experiment, colors: Palette) -> None:
    loss = experiment.trajectory.loss
    minimum = experiment.problem.closed_form_loss
    axes.plot(np.arange(len(loss)), loss, color=colors.path, linewidth=2.4, gid="loss",
              label=f"gradient descent (final {loss[-1]:.4g})")
    limits = log_limits(loss, minimum, float(loss[0]), LOG_PAD)
    if limits is not None:
        log_axis(axes, limits)
    if minimum > 0 or limits is None:
        axes.axhline(minimum, color=colors.optimum, linestyle="--", linewidth=1.4, gid="minimum",
                     label=f"closed-form minimum {minimum:.4g}")
    epoch_axis(axes, len(loss) - 1)
    axes.set_ylabel(f"loss ({cost_label(experiment)}, log scale)" if limits else f"loss ({cost_label(experiment)})")
    axes.set_title("loss over epochs")
    _legend(axes, loc="best")  # a falling loss leaves the upper right free, a diverging one the upper left


def _draw_weights(axes: Axes, experiment: Experiment) -> None:
    """Each parameter's curve; its true value dashed (when known), else the closed-form value dotted."""
    trajectory, names = experiment.trajectory, experiment.dataset.param_names
    truth = experiment.dataset.true_params
    epochs = np.arange(trajectory.epochs_run + 1)
    references = np.asarray(truth if truth is not None else experiment.problem.closed_form)
    curves, lines = [], []
    for k, name in enumerate(names):
        color = PARAM_COLORS[k % len(PARAM_COLORS)]
        # Earlier curves a little wider: where curves coincide (a diverging run), the ones beneath still show.
        width = 2.4 + 1.4 * (len(names) - 1 - k) / max(len(names) - 1, 1)
        curves += axes.plot(epochs, trajectory.weights[:, k], color=color, linewidth=width, gid=f"weight-{name}",
                            label=f"{name} → {trajectory.weights[-1, k]:.4g}")
        if truth is not None:
            lines.append(axes.axhline(references[k], color=color, linestyle="--", linewidth=1.5, gid=f"truth-{name}",
                                      label=f"true {name} = {references[k]:g}"))
        else:
            lines.append(axes.axhline(references[k], color=color, linestyle=":", linewidth=1.8,
                                      gid=f"closed-form-{name}", label=f"least squares {name} = {references[k]:.4g}"))
    if trajectory.diverged:
        # The weights grow by orders of magnitude: symlog keeps the reference values and the escape both in view.
        linear_up_to = 10.0 ** np.ceil(np.log10(max(1.0, float(np.max(np.abs(references))))))
        axes.set_yscale("symlog", linthresh=linear_up_to, linscale=2.0)
        axes.set_ylim(*symlog_limits(axes, np.concatenate([trajectory.weights.ravel(), references])))
        axes.set_ylabel("weight value (symmetric log scale)")
    else:
        axes.set_ylabel("weight value")
    epoch_axis(axes, trajectory.epochs_run)
    axes.set_title("weights over epochs")
    # Outside the axes, so no curve is covered: below, one column a parameter (curve over its reference) when
    # they fit across; else at the right, the curves in one column and their references in the next.
    if len(names) <= LEGEND_COLUMNS_BELOW:
        handles = [handle for pair in zip(curves, lines, strict=True) for handle in pair]
        _legend(axes, handles=handles, ncols=len(names), loc="upper center", bbox_to_anchor=(0.5, -0.13),
                borderaxespad=0.0)
    else:
        _legend(axes, handles=curves + lines, ncols=2, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                borderaxespad=0.0)


def symlog_limits(axes: Axes, values: np.ndarray) -> tuple[float, float]:
    """y-limits holding every value, padded by SYMLOG_MARGIN of the span as the symlog axis draws it.

    Matplotlib pads in data units: weights reaching 1e7 got a margin down to −7e5, six empty decades below zero.
    """
    transform = axes.yaxis.get_transform()
    low, high = transform.transform(np.array([values.min(), values.max()]))
    pad = SYMLOG_MARGIN * (high - low)
    bottom, top = transform.inverted().transform(np.array([low - pad, high + pad]))
    return float(bottom), float(top)


# ── 2. The loss surface over two parameters, and its contours ────────────────────────────────────────────────


def contour_levels(loss: np.ndarray, count: int = CONTOUR_LEVELS) -> np.ndarray:
    """`count` log-spaced levels from the grid's smallest positive loss to its largest: rings crowd the minimum,
    where the path ends, and still reach the rim of the bowl (as many decades as a log axis shows at most)."""
    bottom, top = log_limits(loss, 0.0, pad=1.0) or (1e-6, 1.0)
    if top <= bottom * (1 + 1e-9):
        top = bottom * 2.0
    return np.geomspace(bottom, top, count)


def surface_figure(experiment: Experiment, theme: str = "light", resolution: int = SURFACE_RESOLUTION) -> Figure:
    """3D loss surface over two parameters (others held at their trained values) with the path on it, beside the
    contours of the same slice with the path, start, end and closed-form optimum."""
    problem, trajectory = experiment.problem, experiment.trajectory
    params = default_axes(problem.n_params)
    section = final_slice(problem, trajectory, params)
    path = trajectory.weights[:, list(params)]
    optimum = problem.closed_form[list(params)]
    box = still_box(np.vstack([path, optimum]), GRID_MARGIN)
    grid = slice_grid(section, (box.low[0], box.high[0]), (box.low[1], box.high[1]), resolution)
    # The path's heights are the slice's loss at its two coordinates (not the full loss), so it lies on the surface.
    heights = section.loss(path[:, 0], path[:, 1])
    levels = contour_levels(grid.loss)
    norm = LogNorm(vmin=levels[0], vmax=levels[-1], clip=True)
    names = [experiment.dataset.param_names[k] for k in params]
    # Placed by hand: constrained layout does not see a 3D axes' labels, which then spill onto the contours.
    azimuth = camera_azimuth(grid)
    with _styled_figure(theme, layout=None) as (figure, colors):
        rect = SURFACE_RECT_Z_LEFT if azimuth in Z_AXIS_LEFT_AZIMUTHS else SURFACE_RECT
        surface_axes = figure.add_axes(rect, projection="3d")
        contour_axes = figure.add_axes(CONTOUR_RECT)
        _draw_surface(surface_axes, grid, path, heights, norm, names, colors, azimuth)
        filled = _draw_contours(contour_axes, grid, path, optimum, levels, norm, names, colors)
        colorbar = figure.colorbar(filled, cax=figure.add_axes(COLORBAR_RECT))
        ticks = levels[:: max(len(levels) // 5, 1)]
        colorbar.set_ticks(ticks, labels=[loss_tick(value) for value in ticks])
        colorbar.minorticks_off()
        colorbar.set_label("loss (log scale)")
        colorbar.outline.set_visible(False)
        figure.suptitle(f"loss over ({names[0]}, {names[1]})  ·  {figure_title(experiment)}", y=0.985, va="top")
        note = held_note(experiment, section)
        if note:
            figure.text(0.5, 0.015, note, ha="center", va="bottom", fontsize="small", color=colors.foreground,
                        alpha=0.85)
    return figure


def loss_tick(value: float) -> str:
    """'0.236', '39.9', '1.3×10¹⁴': short enough for a colorbar."""
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def _step_marker_size(n_points: int) -> float:
    """A dot per epoch shows the steps shrinking; hundreds of them only thicken the line, so they get smaller."""
    return 3.5 if n_points <= 120 else 2.0


def _draw_surface(axes: Axes, grid: LossGrid, path: np.ndarray, heights: np.ndarray, norm: LogNorm,
                  names: list[str], colors: Palette, azimuth: float) -> None:
    first, second = np.meshgrid(grid.first_values, grid.second_values)
    facets = min(SURFACE_FACETS, len(grid.first_values))
    axes.computed_zorder = False  # the path is drawn over the surface, not sorted into it
    surface = axes.plot_surface(first, second, grid.loss, cmap=colors.colormap, norm=norm,  # type: ignore
                                rcount=facets, ccount=facets, alpha=0.8, linewidth=0, antialiased=False, zorder=1,
                                gid="surface")
    surface.set_rasterized(True)  # thousands of facets: an image in SVG/PDF (a megabyte less), text stays vector
    axes.plot(path[:, 0], path[:, 1], heights, color=colors.path, linewidth=1.6, marker="o",
              markersize=_step_marker_size(len(path)),
              zorder=5, gid="surface-path")
    axes.plot(path[:1, 0], path[:1, 1], heights[:1], marker="o", markersize=10, markerfacecolor="none",
              markeredgewidth=2.2, color=colors.path, linestyle="none", zorder=6, gid="surface-start")
    axes.plot(path[-1:, 0], path[-1:, 1], heights[-1:], marker="*", markersize=17, color=colors.path,
              markeredgecolor=colors.background, linestyle="none", zorder=6, gid="surface-end")
    for axis, values, name, pad in ((axes.xaxis, grid.first_values, names[0], 10),
                                    (axes.yaxis, grid.second_values, names[1], 10),
                                    (axes.zaxis, grid.loss, "loss", 8)):  # type: ignore[attr-defined]
        axis.set_major_locator(MaxNLocator(5))  # fewer, so the slanted tick labels keep apart
        label = scale_axis(axis, values, name)
        # A scaled label is longer: set further out, or its ends touch the tick labels of the slanted 3D axis.
        axis.set_label_text(label)
        axis.labelpad = pad if label == name else 2.5 * pad
    axes.zaxis.set_rotate_label(False)  # type: ignore[attr-defined]  # upright: at the left it would read downwards
    axes.zaxis.label.set_rotation(90)  # type: ignore[attr-defined]
    axes.view_init(elev=SURFACE_ELEVATION, azim=azimuth)
    style_3d_axes(axes, colors)
    axes.set_title("loss surface (slice) with the GD path")


def camera_azimuth(grid: LossGrid) -> float:
    """The corner view whose nearest floor corner has the grid's lowest loss.

    The surface then rises away from the camera: its whole inside faces the viewer. Seen from the high side (the
    lab's fixed −60° on the plane), the slope falls away from the camera and the bowl shrinks to a sliver.
    """
    loss = grid.loss  # loss[i, j]: second parameter i, first parameter j

    def nearest_corner(azimuth: float) -> float:
        j = -1 if np.cos(np.radians(azimuth)) > 0 else 0
        i = -1 if np.sin(np.radians(azimuth)) > 0 else 0
        return float(loss[i, j])

    return min(CORNER_AZIMUTHS, key=nearest_corner)


def _draw_contours(axes: Axes, grid: LossGrid, path: np.ndarray, optimum: np.ndarray, levels: np.ndarray,
                   norm: LogNorm, names: list[str], colors: Palette) -> ContourSet:
    first, second, loss = grid.first_values, grid.second_values, grid.loss
    filled = axes.contourf(first, second, loss, levels=levels, cmap=colors.colormap, norm=norm, alpha=0.75,
                           zorder=1)
    axes.contour(first, second, loss, levels=levels, colors=colors.foreground, linewidths=0.5, alpha=0.35,
                 zorder=2)
    axes.plot(path[:, 0], path[:, 1], color=colors.path, linewidth=1.6, marker="o",
              markersize=_step_marker_size(len(path)), zorder=4,
              gid="path", label=f"GD path ({plural(len(path) - 1, 'epoch')})")
    axes.plot(*path[0], marker="o", markersize=12, markerfacecolor="none", markeredgewidth=2.4, color=colors.path,
              linestyle="none", zorder=5, gid="start", label="start")
    axes.plot(*path[-1], marker="*", markersize=20, color=colors.path, markeredgecolor=colors.background,
              linestyle="none", zorder=6, gid="end", label="end")
    axes.plot(*optimum, marker="x", markersize=13, markeredgewidth=3, color=colors.optimum, linestyle="none",
              zorder=7, gid="optimum", label="closed-form optimum")
    axes.set_xlim(first[0], first[-1])
    axes.set_ylim(second[0], second[-1])
    axes.set_xlabel(scale_axis(axes.xaxis, first, names[0]))
    axes.set_ylabel(scale_axis(axes.yaxis, second, names[1]))
    axes.grid(False)
    axes.set_title("contours of the same slice")
    _legend(axes, loc="best")
    return filled


# ── 3. The fit: line, plane or predicted-vs-actual ───────────────────────────────────────────────────────────


def fit_figure(experiment: Experiment, theme: str = "light") -> Figure:
    """The final model over the data: a line (1 feature), a plane in 3D (2), predicted vs actual (more)."""
    n_features = experiment.dataset.n_features
    with _styled_figure(theme) as (figure, colors):
        if n_features == 2:
            _draw_plane(figure.add_subplot(projection="3d"), experiment, colors)
        elif n_features == 1:
            _draw_line(figure.add_subplot(), experiment, colors)
        else:
            _draw_predictions(figure.add_subplot(), experiment, colors)
        figure.suptitle(figure_title(experiment))
    return figure


def equation(weights: Sequence[float], feature_names: Sequence[str], target: str = "ŷ") -> str:
    """'ŷ = 0.957 + 1.91·x1 + 3.18·x2' (bias first; every minus sign the typographic one)."""
    terms = [f"{weights[0]:.4g}".replace("-", "−", 1) if weights[0] < 0 else f"{weights[0]:.4g}"]
    for value, name in zip(weights[1:], feature_names, strict=True):
        terms.append(f"{'−' if value < 0 else '+'} {abs(value):.4g}·{name}")
    return f"{target} = " + " ".join(terms)


def _fit_subtitle(experiment: Experiment) -> str:
    trajectory = experiment.trajectory
    when = f"epoch {trajectory.epochs_run}"
    if trajectory.diverged:
        when += ", the last finite weights before the run diverged"
    return when


def _marker_size(n_points: int) -> float:
    """Fewer points, bigger markers: 5 points read as dots, 10,000 as a cloud."""
    return float(np.clip(900.0 / np.sqrt(max(n_points, 1)), 4.0, 140.0))


def _draw_line(axes: Axes, experiment: Experiment, colors: Palette) -> None:
    dataset, weights = experiment.dataset, experiment.trajectory.final_weights
    shown_x, y = dataset.shown
    x = shown_x[:, 0]
    pad = 0.05 * (float(np.ptp(x)) or 1.0)
    ends = np.array([x.min() - pad, x.max() + pad])
    axes.scatter(x, y, s=_marker_size(len(x)), color=colors.data, alpha=0.75, linewidths=0, zorder=2, gid="data",
                 label=f"data ({len(x)} points)")
    axes.plot(ends, weights[0] + weights[1] * ends, color=colors.fit, linewidth=2.8, zorder=3, gid="fit",
              label="GD fit  " + equation(weights, dataset.feature_names[:1]).replace(dataset.feature_names[0], "x"))
    if dataset.true_params is not None:
        truth = dataset.true_params
        axes.plot(ends, truth[0] + truth[1] * ends, color=colors.truth, linestyle="--", linewidth=1.8, zorder=4,
                  gid="truth", label="true line  " + equation(truth, ["x"], dataset.target_name))
    else:
        best = experiment.problem.closed_form
        axes.plot(ends, best[0] + best[1] * ends, color=colors.optimum, linestyle=":", linewidth=2.0, zorder=4,
                  gid="closed-form", label="least squares  " + equation(best, ["x"]))
    axes.set_xlim(*ends)
    axes.set_xlabel(dataset.feature_names[0])
    axes.set_ylabel(dataset.target_name)
    axes.set_title(f"the fitted line at {_fit_subtitle(experiment)}")
    _legend(axes, loc="best")  # a diverged fit squeezes the data into one row, maybe where upper left would be


def _draw_plane(axes: Axes, experiment: Experiment, colors: Palette) -> None:
    dataset, weights = experiment.dataset, experiment.trajectory.final_weights
    features, y = dataset.shown
    x1 = np.linspace(features[:, 0].min(), features[:, 0].max(), 12)
    x2 = np.linspace(features[:, 1].min(), features[:, 1].max(), 12)
    mesh1, mesh2 = np.meshgrid(x1, x2)
    axes.scatter(features[:, 0], features[:, 1], y, s=_marker_size(len(y)) * 0.6, color=colors.data, alpha=0.85,
                 depthshade=False, gid="data", label=f"data ({len(y)} points)")
    axes.plot_surface(mesh1, mesh2, weights[0] + weights[1] * mesh1 + weights[2] * mesh2, color=colors.fit,
                      alpha=0.35, edgecolor=colors.fit, linewidth=0.4, shade=False, gid="fit")
    names = dataset.feature_names
    axes.set_xlabel(names[0], labelpad=10)
    axes.set_ylabel(names[1], labelpad=10)
    axes.set_zlabel(dataset.target_name, labelpad=10)
    axes.view_init(elev=20, azim=-60)
    axes.set_box_aspect(PLANE_BOX_ASPECT, zoom=PLANE_ZOOM)  # wider than deep: fill the 16:9 slide
    for axis in (axes.xaxis, axes.yaxis, axes.zaxis):
        axis.set_major_locator(MaxNLocator(5))
    style_3d_axes(axes, colors)
    # A diverged run's note is long: on a line of its own, or the title outgrows the slide.
    gap = "\n" if experiment.trajectory.diverged else "  "
    title = f"fitted plane {equation(weights, names)}{gap}({_fit_subtitle(experiment)})"
    if dataset.true_params is not None:
        title += f"\ntrue plane {equation(dataset.true_params, names, dataset.target_name)}"
    axes.set_title(title)


def _draw_predictions(axes: Axes, experiment: Experiment, colors: Palette) -> None:
    dataset, weights = experiment.dataset, experiment.trajectory.final_weights
    features, y = dataset.shown
    predicted = weights[0] + features @ weights[1:]
    low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
    pad = 0.05 * ((high - low) or 1.0)
    axes.plot([low - pad, high + pad], [low - pad, high + pad], color=colors.truth, linestyle="--", linewidth=1.6,
              zorder=1, gid="diagonal", label=f"perfect prediction ŷ = {dataset.target_name}")
    residual = float(np.sum((predicted - y) ** 2))
    spread = float(np.sum((y - y.mean()) ** 2))
    r_squared = f", R² = {1 - residual / spread:.4f}" if spread > 0 else ""
    axes.scatter(y, predicted, s=_marker_size(len(y)), color=colors.fit, alpha=0.75, linewidths=0, zorder=2,
                 gid="predictions", label=f"samples ({len(y)}{r_squared})")
    axes.set_xlim(low - pad, high + pad)
    axes.set_ylim(low - pad, high + pad)
    axes.set_xlabel(f"{dataset.target_name} (actual)")
    axes.set_ylabel("ŷ (predicted)")
    axes.set_title(f"predicted against actual at {_fit_subtitle(experiment)}")
    _legend(axes, loc="best")


# ── 4. Learning rates compared ───────────────────────────────────────────────────────────────────────────────


def rates_figure(comparison: Sequence[Experiment], theme: str = "light") -> Figure:
    """Each run's loss over epochs, coloured by its regime: linear scale (left, clipped above the largest initial
    loss so a diverging run cannot flatten the others) and log scale (right, everything whole)."""
    runs = list(comparison)
    if not runs:
        raise ValueError("rates_figure needs at least one experiment to compare")
    initial = max(float(run.trajectory.loss[0]) for run in runs)
    limits = log_limits(np.concatenate([run.trajectory.loss for run in runs]),
                        min(run.problem.closed_form_loss for run in runs), initial, LOG_PAD)
    with _styled_figure(theme) as (figure, colors):
        linear_axes, log_axes = figure.subplots(1, 2)
        _draw_rate_curves(linear_axes, runs, colors)
        linear_axes.set_ylim(0, RATES_HEADROOM * initial if initial > 0 else 1.0)
        linear_axes.set_title("linear scale")
        if limits is not None:
            log_axis(log_axes, limits)
        _draw_rate_curves(log_axes, runs, colors)
        log_axes.set_title("log scale" if limits is not None else "log scale impossible: every loss is 0")
        clipped = any(float(run.trajectory.loss.max()) > RATES_HEADROOM * initial for run in runs)
        if clipped:
            linear_axes.text(0.98, 0.97, "clipped at 1.1× the initial loss:\nsee the log scale for the rest",
                             transform=linear_axes.transAxes, ha="right", va="top", fontsize="small",
                             color=colors.foreground, alpha=0.8)
        handles, labels = log_axes.get_legend_handles_labels()
        legend = figure.legend(handles, labels, loc="outside lower center", ncols=rate_legend_columns(len(handles)),
                               frameon=False)
        for text in legend.get_texts():
            text.set_color(colors.foreground)
        names = sorted({run.dataset.name for run in runs})
        epochs = sorted({run.epochs for run in runs})
        each = f"{epochs[0]} epochs each" if len(epochs) == 1 else "epochs " + ", ".join(map(str, epochs))
        figure.suptitle(f"learning rates compared on {', '.join(names)}  ·  {each}  ·  colour = regime")
    return figure


def rate_legend_columns(entries: int) -> int:
    """Columns for the rates legend: full columns (4 entries as 2 × 2, not 2 + 1 + 1), at most 3 across."""
    return 2 if entries == 4 else min(entries, 3)


def _draw_rate_curves(axes: Axes, runs: list[Experiment], colors: Palette) -> None:
    seen: dict[Regime | None, int] = {}
    for k, run in enumerate(runs):
        regime = run_regime(run)
        style = RUN_STYLES[seen.get(regime, 0) % len(RUN_STYLES)]
        seen[regime] = seen.get(regime, 0) + 1
        loss = run.trajectory.loss
        axes.plot(np.arange(len(loss)), loss, color=regime_color(regime), linestyle=style, linewidth=2.4,
                  gid=f"rate-{k}", label=rate_label(run))
    for minimum in sorted({run.problem.closed_form_loss for run in runs}):
        if minimum > 0 or axes.get_yscale() == "linear":
            axes.axhline(minimum, color=colors.optimum, linestyle="--", linewidth=1.3, zorder=1, gid="minimum",
                         label=f"closed-form minimum {minimum:.4g}")
    epoch_axis(axes, max(len(run.trajectory.loss) - 1 for run in runs))
    axes.set_ylabel(f"loss ({cost_label(runs[0])})")


# ── A learning-rate sweep ─────────────────────────────────────────────────────────────────────────────────────


def sweep_figure(result: Sweep, experiment: Experiment, theme: str = "light") -> Figure:
    """Final loss against rate, log–log, over the regime bands; 2/L, the observed threshold and the presets marked."""
    from scenes.mpl.sweep import SweepPoints, draw_sweep_frame

    with _styled_figure(theme) as (figure, colors):
        axes = figure.add_subplot()
        presets = draw_sweep_frame(axes, result, experiment, colors)
        SweepPoints(axes, result, colors)
        _legend(axes, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize="small")
        axes.set_title(f"{experiment.dataset.name}  ·  {result.optimizer}  ·  {len(result.rows)} rates, "
                       f"{result.epochs} epochs each", loc="left")
        figure.draw_without_rendering()  # the layout puts the axes where they will be drawn
        presets.place()  # labels inside the axes: the layout does not move for them
    return figure
