"""The lab's still figures: their artists hold exactly the experiment's numbers, for any theme and any run."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from mpl_toolkits.mplot3d import proj3d

from gdcore.datasets import load_preset, synthetic
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.regimes import classify
from scenes.captions import rate_label
from scenes.figures import (
    FIGURE_NAMES,
    RATES_HEADROOM,
    SYMLOG_MARGIN,
    convergence_figure,
    equation,
    fit_figure,
    lab_figures,
    rate_legend_columns,
    rates_figure,
    surface_figure,
)
from scenes.theme import palette, regime_color
from tests.scenes.conftest import experiment

SMALL_GRID = 12  # the surface's resolution in tests: the artists, not the smoothness, are under test


def by_gid(figure: Figure, gid: str) -> Artist:
    found = figure.findobj(lambda artist: artist.get_gid() == gid)
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def line(figure: Figure, gid: str) -> Line2D:
    artist = by_gid(figure, gid)
    assert isinstance(artist, Line2D)
    return artist


def drawn_texts(figure: Figure, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Bbox]]:
    """Every text the renderer actually draws (ticks out of view and empty labels are not), with its box in pixels."""
    drawn: list[tuple[str, Bbox]] = []
    original = Text.draw

    def spy(text: Text, renderer: object) -> None:
        original(text, renderer)  # type: ignore[arg-type]
        if text.get_visible() and text.get_text().strip():
            drawn.append((text.get_text(), text.get_window_extent(renderer).frozen()))  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(Text, "draw", spy)
        figure.draw_without_rendering()
    return drawn


def assert_texts_clear(figure: Figure, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each drawn text lies inside the figure, and no two overlap by more than a pixel each way."""
    texts = drawn_texts(figure, monkeypatch)
    assert len(texts) > 10
    inside = figure.bbox.padded(0.5)
    clipped = [text for text, box in texts if not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1))]
    assert not clipped, f"clipped at the figure's edge: {clipped}"
    overlapping = []
    for k, (text, box) in enumerate(texts):
        for other, other_box in texts[k + 1:]:
            width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if width > 1 and height > 1:
                overlapping.append((text, other))
    assert not overlapping, f"texts drawn over each other: {overlapping}"


def display_points(line_artist: Line2D, per_segment: int = 50) -> np.ndarray:
    """The line as drawn, in pixels: its vertices and points along each segment (a segment can cross a box whose
    corners hold no vertex)."""
    points = line_artist.get_transform().transform(line_artist.get_xydata())
    steps = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None, None]
    along = points[:-1] + steps * (points[1:] - points[:-1])
    return np.vstack([along.reshape(-1, 2), points[-1:]])


def inside_count(box: Bbox, points: np.ndarray) -> int:
    return int(np.sum((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
                      & (points[:, 1] < box.y1)))


def legend_of(axes_or_figure: object) -> Legend:
    legend = axes_or_figure.get_legend()  # type: ignore[attr-defined]
    assert isinstance(legend, Legend)
    return legend


@pytest.fixture(scope="module")
def five() -> Experiment:
    return experiment("five-points", epochs=40)


@pytest.fixture(scope="module")
def short_line() -> Experiment:
    return experiment("line", epochs=30)


@pytest.fixture(scope="module")
def short_plane() -> Experiment:
    return experiment("plane", epochs=25)


@pytest.fixture(scope="module")
def diverged() -> Experiment:
    return experiment("plane", lr=0.8)


@pytest.fixture(scope="module")
def escaped() -> Experiment:
    """A rate so large the run stops after one epoch, its weights past 1e7."""
    return experiment("plane", lr=1e6)


@pytest.fixture(scope="module", params=["light", "dark"])
def five_figures(request: pytest.FixtureRequest, five: Experiment) -> tuple[str, dict[str, Figure]]:
    """The whole set for a tiny run with nothing to compare, in each theme."""
    return request.param, lab_figures(five, [], request.param, resolution=SMALL_GRID)


@pytest.fixture(scope="module", params=["light", "dark"])
def diverged_figures(request: pytest.FixtureRequest, diverged: Experiment) -> dict[str, Figure]:
    return lab_figures(diverged, [diverged], request.param, resolution=SMALL_GRID)  # warnings are errors here


@pytest.fixture(scope="module")
def line_convergence(short_line: Experiment) -> Figure:
    return convergence_figure(short_line)


@pytest.fixture(scope="module")
def plane_surface(short_plane: Experiment) -> Figure:
    return surface_figure(short_plane, resolution=SMALL_GRID)


@pytest.fixture(scope="module")
def plane_rates() -> list[Experiment]:
    return [prepare(load_preset("plane"), RunRequest(regime=regime, epochs=30)) for regime in ("slow", "good")] + [
        prepare(load_preset("plane"), RunRequest(lr=0.8))
    ]


# ── The set ───────────────────────────────────────────────────────────────────────────────────────────────────


def test_lab_figures_are_the_named_slide_sized_figures(five_figures: tuple[str, dict[str, Figure]]) -> None:
    _, figures = five_figures
    assert tuple(figures) == FIGURE_NAMES
    for figure in figures.values():
        assert isinstance(figure, Figure)
        width, height = figure.get_size_inches() * figure.dpi
        assert (round(width), round(height)) == (1280, 720)


def test_an_empty_comparison_compares_the_run_alone(five: Experiment,
                                                    five_figures: tuple[str, dict[str, Figure]]) -> None:
    rates = five_figures[1]["rates"]
    assert line(rates.axes[0], "rate-0").get_label() == rate_label(five)


def test_building_a_figure_leaves_rcparams_alone(five: Experiment) -> None:
    before = dict(matplotlib.rcParams)
    rates_figure([five], "dark")
    assert dict(matplotlib.rcParams) == before


def test_each_theme_sets_the_facecolor(five_figures: tuple[str, dict[str, Figure]]) -> None:
    theme, figures = five_figures
    colors = palette(theme)
    for figure in figures.values():
        assert figure.get_facecolor() == to_rgba(colors.background)
        assert figure.canvas.manager is None  # built without pyplot: no window, no figure manager
    # Ticks are made while the style holds, so a later save in other rcParams keeps the theme's colours.
    tick = figures["convergence"].axes[0].xaxis.get_major_ticks()[0]
    assert to_hex(tick.label1.get_color()) == to_hex(colors.foreground)


# ── 1. Convergence ────────────────────────────────────────────────────────────────────────────────────────────


def test_the_loss_curve_is_the_trajectorys_loss_on_a_log_axis(short_line: Experiment, line_convergence: Figure) -> None:
    figure = line_convergence
    curve = line(figure, "loss")
    np.testing.assert_array_equal(curve.get_ydata(), short_line.trajectory.loss)
    np.testing.assert_array_equal(curve.get_xdata(), np.arange(short_line.trajectory.epochs_run + 1))
    assert curve.axes.get_yscale() == "log"
    minimum = line(figure, "minimum")
    assert minimum.get_linestyle() == "--"
    np.testing.assert_allclose(minimum.get_ydata(), short_line.problem.closed_form_loss)
    assert "closed-form minimum" in minimum.get_label()


def test_each_weight_curve_is_its_trajectory_column_with_its_true_value_dashed(short_line: Experiment,
                                                                              line_convergence: Figure) -> None:
    figure = line_convergence
    truth = short_line.dataset.true_params
    assert truth is not None
    for k, name in enumerate(short_line.dataset.param_names):
        curve, reference = line(figure, f"weight-{name}"), line(figure, f"truth-{name}")
        np.testing.assert_array_equal(curve.get_ydata(), short_line.trajectory.weights[:, k])
        np.testing.assert_array_equal(reference.get_ydata(), [truth[k], truth[k]])
        assert reference.get_linestyle() == "--"
        assert reference.get_color() == curve.get_color()
    colors = {line(figure, f"weight-{name}").get_color() for name in short_line.dataset.param_names}
    assert len(colors) == short_line.problem.n_params


def test_without_true_parameters_the_closed_form_values_are_dotted(five: Experiment) -> None:
    figure = convergence_figure(five)
    assert five.dataset.true_params is None
    for k, name in enumerate(five.dataset.param_names):
        reference = line(figure, f"closed-form-{name}")
        np.testing.assert_allclose(reference.get_ydata(), five.problem.closed_form[k])
        assert reference.get_linestyle() == ":"
        assert not figure.findobj(lambda artist, name=name: artist.get_gid() == f"truth-{name}")


def test_the_title_names_dataset_rate_optimizer_and_status(line_convergence: Figure,
                                                           diverged_figures: dict[str, Figure]) -> None:
    title = line_convergence.get_suptitle()
    assert all(part in title for part in ("line", "lr 0.01", "gd", "30 epochs"))
    assert "diverged at epoch 11" in diverged_figures["convergence"].get_suptitle()


# ── 2. Surface and contours ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["short_line", "short_plane", "diverged"])
def test_the_contour_path_is_the_trajectory_with_start_end_and_optimum(name: str,
                                                                       request: pytest.FixtureRequest) -> None:
    run: Experiment = request.getfixturevalue(name)
    figure = request.getfixturevalue("plane_surface") if name == "short_plane" else surface_figure(
        run, resolution=SMALL_GRID)
    params = [1, 2] if run.problem.n_params >= 3 else [0, 1]
    weights = run.trajectory.weights[:, params]
    path = line(figure, "path")
    assert len(path.get_xdata()) == run.trajectory.epochs_run + 1
    np.testing.assert_array_equal(path.get_xdata(), weights[:, 0])
    np.testing.assert_array_equal(path.get_ydata(), weights[:, 1])
    np.testing.assert_array_equal(line(figure, "start").get_xydata()[0], weights[0])
    np.testing.assert_array_equal(line(figure, "end").get_xydata()[0], weights[-1])
    assert line(figure, "end").get_marker() == "*"
    optimum = run.problem.closed_form[params]
    np.testing.assert_array_equal(line(figure, "optimum").get_xydata()[0], optimum)
    # The grid holds the whole path and the optimum, with a margin: nothing is capped.
    axes = path.axes
    (x_low, x_high), (y_low, y_high) = axes.get_xlim(), axes.get_ylim()
    every = np.vstack([weights, optimum])
    assert np.all((every[:, 0] > x_low) & (every[:, 0] < x_high))
    assert np.all((every[:, 1] > y_low) & (every[:, 1] < y_high))


def test_the_3d_path_lies_on_the_slice_held_at_the_trained_values(short_plane: Experiment,
                                                                   plane_surface: Figure) -> None:
    xs, ys, zs = line(plane_surface, "surface-path").get_data_3d()
    trajectory = short_plane.trajectory
    np.testing.assert_array_equal(xs, trajectory.weights[:, 1])
    np.testing.assert_array_equal(ys, trajectory.weights[:, 2])
    held = np.tile(trajectory.final_weights, (len(xs), 1))
    held[:, 1:] = trajectory.weights[:, 1:]
    np.testing.assert_allclose(zs, short_plane.problem.loss(held), rtol=1e-9)


def test_the_slice_says_what_it_holds(short_plane: Experiment, plane_surface: Figure, short_line: Experiment) -> None:
    texts = " ".join(text.get_text() for text in plane_surface.texts)
    b = short_plane.trajectory.final_weights[0]
    assert f"the slice holds b = {b:.3g} (its trained value); b moved during training" in texts
    assert "approximation" in texts
    one_feature = " ".join(text.get_text() for text in surface_figure(short_line, resolution=SMALL_GRID).texts)
    assert "slice holds" not in one_feature


# ── 3. Fit ────────────────────────────────────────────────────────────────────────────────────────────────────


def test_one_feature_draws_the_final_line_and_the_true_line(short_line: Experiment) -> None:
    figure = fit_figure(short_line)
    b, w = short_line.trajectory.final_weights
    fit = line(figure, "fit")
    np.testing.assert_allclose(fit.get_ydata(), b + w * fit.get_xdata())
    truth = line(figure, "truth")
    assert truth.get_linestyle() == "--"
    np.testing.assert_allclose(truth.get_ydata(), 1.0 + 2.0 * truth.get_xdata())
    offsets = by_gid(figure, "data").get_offsets()  # type: ignore[attr-defined]
    np.testing.assert_array_equal(offsets[:, 0], short_line.dataset.features[:, 0])


def test_two_features_draw_the_plane_in_3d(short_plane: Experiment) -> None:
    figure = fit_figure(short_plane)
    assert figure.axes[0].name == "3d"
    assert isinstance(by_gid(figure, "fit"), Collection)
    assert "fitted plane" in figure.axes[0].get_title()


def test_more_features_plot_predicted_against_actual() -> None:
    run = prepare(synthetic(n_samples=30, n_features=3), RunRequest(epochs=20))
    figure = fit_figure(run)
    weights = run.trajectory.final_weights
    offsets = by_gid(figure, "predictions").get_offsets()  # type: ignore[attr-defined]
    np.testing.assert_array_equal(offsets[:, 0], run.dataset.target)
    np.testing.assert_allclose(offsets[:, 1], weights[0] + run.dataset.features @ weights[1:])
    diagonal = line(figure, "diagonal")
    np.testing.assert_array_equal(diagonal.get_xdata(), diagonal.get_ydata())


# ── 4. Rates ──────────────────────────────────────────────────────────────────────────────────────────────────


def test_rate_labels_name_rate_regime_and_eta_l() -> None:
    slow = prepare(load_preset("plane"), RunRequest(regime="slow", epochs=5))
    assert rate_label(slow) == "lr 0.0081 (slow, η·L = 0.05)"


def test_one_curve_per_run_in_its_regimes_colour_on_both_scales(plane_rates: list[Experiment]) -> None:
    figure = rates_figure(plane_rates)
    linear_axes, log_axes = figure.axes[:2]
    for axes in (linear_axes, log_axes):
        curves = [artist for artist in axes.get_lines() if (artist.get_gid() or "").startswith("rate-")]
        assert len(curves) == len(plane_rates)
        for curve, run in zip(curves, plane_rates, strict=True):
            np.testing.assert_array_equal(curve.get_ydata(), run.trajectory.loss)
            assert curve.get_label() == rate_label(run)
            regime = classify(run.trajectory.lr, run.problem.eigenvalues).regime
            assert to_hex(curve.get_color()) == to_hex(regime_color(regime))
        minimum = [artist for artist in axes.get_lines() if artist.get_gid() == "minimum"]
        np.testing.assert_allclose(minimum[0].get_ydata(), plane_rates[0].problem.closed_form_loss)
        assert minimum[0].get_linestyle() == "--"
    assert linear_axes.get_yscale() == "linear" and log_axes.get_yscale() == "log"
    assert "diverged at epoch 11" in rate_label(plane_rates[-1])


def test_a_diverged_curve_is_clipped_on_the_linear_panel_only(plane_rates: list[Experiment]) -> None:
    figure = rates_figure(plane_rates)
    linear_axes, log_axes = figure.axes[:2]
    largest_start = max(run.trajectory.loss[0] for run in plane_rates)
    assert linear_axes.get_ylim()[1] == pytest.approx(RATES_HEADROOM * largest_start)
    assert log_axes.get_ylim()[1] >= plane_rates[-1].trajectory.loss.max()
    assert log_axes.get_ylim()[0] <= plane_rates[0].problem.closed_form_loss
    legend_texts = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    assert any("diverged at epoch 11" in text for text in legend_texts)


# ── A diverged run ────────────────────────────────────────────────────────────────────────────────────────────


def test_a_diverged_run_builds_every_figure_with_finite_data_only(diverged: Experiment,
                                                                  diverged_figures: dict[str, Figure]) -> None:
    figures = diverged_figures
    for name, figure in figures.items():
        for artist in figure.findobj(Line2D):
            data = artist.get_data_3d() if hasattr(artist, "get_data_3d") else artist.get_xydata()
            assert np.all(np.isfinite(np.asarray(data, dtype=float))), name
        for artist in figure.findobj(Collection):
            assert np.all(np.isfinite(artist.get_offsets())), name
        for axes in figure.axes:
            assert np.all(np.isfinite(axes.get_xlim())) and np.all(np.isfinite(axes.get_ylim())), name
    path = line(figures["surface"], "path")
    assert len(path.get_xdata()) == diverged.trajectory.epochs_run + 1


# ── Layout: legible at slide size, nothing clipped or drawn over ─────────────────────────────────────────────


def test_every_text_of_the_set_is_inside_the_figure_and_clear_of_the_others(
        five_figures: tuple[str, dict[str, Figure]], diverged_figures: dict[str, Figure],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for figures in (five_figures[1], diverged_figures):
        for name, figure in figures.items():
            try:
                assert_texts_clear(figure, monkeypatch)
            except AssertionError as error:
                raise AssertionError(f"{name}: {error}") from None


@pytest.mark.parametrize("name", ["short_plane", "escaped", "short_line"])
def test_the_surface_figure_keeps_its_texts_clear_in_every_corner_view(
        name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # short_plane's camera puts the z-axis at the left, escaped's axes reach 1e7 (scaled labels), short_line's
    # view puts the z-axis at the right.
    run: Experiment = request.getfixturevalue(name)
    assert_texts_clear(surface_figure(run, resolution=SMALL_GRID), monkeypatch)


def test_more_parameters_keep_the_weights_legend_inside_the_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    for features in (3, 6):  # four parameters: legend below the panel; seven: at its right
        run = prepare(synthetic(n_samples=30, n_features=features), RunRequest(epochs=20))
        assert_texts_clear(convergence_figure(run), monkeypatch)


def test_the_loss_legend_leaves_a_diverging_curve_alone(escaped: Experiment, diverged_figures: dict[str, Figure],
                                                         line_convergence: Figure) -> None:
    for figure in (convergence_figure(escaped), diverged_figures["convergence"], line_convergence):
        figure.draw_without_rendering()
        curve = line(figure, "loss")
        box = legend_of(curve.axes).get_window_extent()
        assert inside_count(box, display_points(curve)) == 0


def test_the_contour_legend_leaves_the_path_and_its_marks_alone(plane_surface: Figure,
                                                                diverged_figures: dict[str, Figure]) -> None:
    for figure in (plane_surface, diverged_figures["surface"]):
        figure.draw_without_rendering()
        path = line(figure, "path")
        box = legend_of(path.axes).get_window_extent()
        assert inside_count(box, display_points(path)) == 0
        for mark in ("start", "end", "optimum"):
            assert inside_count(box, display_points(line(figure, mark))) == 0, mark


def test_the_fit_legend_leaves_the_data_alone_when_the_fit_diverged() -> None:
    run = experiment("line", lr=3.0)  # the line escapes to -1e6: the data sit in one row along the top
    assert run.trajectory.diverged
    figure = fit_figure(run)
    figure.draw_without_rendering()
    data = by_gid(figure, "data")
    points = data.get_offset_transform().transform(data.get_offsets())  # type: ignore[attr-defined]
    box = legend_of(figure.axes[0]).get_window_extent()
    assert inside_count(box, points) == 0
    assert inside_count(box, display_points(line(figure, "fit"))) == 0


def test_epoch_axes_tick_whole_epochs_only(escaped: Experiment) -> None:
    # One epoch: matplotlib alone would tick 0, 0.2, …, 1. The lab's 300: every 50, not a crowd every 30.
    for figure, step in ((convergence_figure(escaped), 1), (convergence_figure(experiment("plane")), 50)):
        figure.draw_without_rendering()
        for axes in figure.axes:
            ticks = [tick for tick in axes.get_xticks() if axes.get_xlim()[0] <= tick <= axes.get_xlim()[1]]
            np.testing.assert_array_equal(np.diff(ticks), step)


def test_the_diverged_weights_axis_is_padded_on_the_symlog_scale(escaped: Experiment,
                                                                 diverged_figures: dict[str, Figure]) -> None:
    for run, figure in ((escaped, convergence_figure(escaped)), (None, diverged_figures["convergence"])):
        axes = line(figure, "weight-b").axes
        assert axes.get_yscale() == "symlog"
        weights = (run or experiment("plane", lr=0.8)).trajectory.weights
        values = np.concatenate([weights.ravel(), [1.0, 2.0, 3.0]])  # the plane's true values, dashed
        scale = axes.yaxis.get_transform()
        low, high = scale.transform(np.array(axes.get_ylim()))
        data_low, data_high = scale.transform(np.array([values.min(), values.max()]))
        span = data_high - data_low
        # Every value in view, with the margin as drawn (weights ≥ 0 got six empty decades below zero before).
        assert data_low - low == pytest.approx(SYMLOG_MARGIN * span, rel=1e-6)
        assert high - data_high == pytest.approx(SYMLOG_MARGIN * span, rel=1e-6)


# ── The surface's camera and scales ──────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["short_plane", "short_line", "five", "diverged"])
def test_the_camera_looks_from_the_slices_lowest_corner(name: str, request: pytest.FixtureRequest) -> None:
    run: Experiment = request.getfixturevalue(name)
    figure = surface_figure(run, resolution=SMALL_GRID)
    figure.draw_without_rendering()
    axes = figure.axes[0]
    surface = by_gid(figure, "surface")
    (x_low, x_high), (y_low, y_high) = axes.get_xlim(), axes.get_ylim()
    corners = np.array([(x, y) for y in (y_low, y_high) for x in (x_low, x_high)])
    # Nearest the camera: the floor corner drawn lowest on screen (the camera looks down at 28°), found by
    # matplotlib's own projection, not by the rule that picked the azimuth.
    _, screen_y, _ = proj3d.proj_transform(corners[:, 0], corners[:, 1], np.zeros(4), axes.get_proj())
    nearest = int(np.argmin(screen_y))
    # The slice's loss at each box corner, from the same quadratic as the grid (the box is the grid plus margins).
    params = [1, 2] if run.problem.n_params >= 3 else [0, 1]
    base = np.tile(run.trajectory.final_weights, (4, 1))
    base[:, params] = corners
    corner_loss = run.problem.loss(base)
    assert nearest == int(np.argmin(corner_loss)), (corner_loss, nearest)
    assert surface.get_rasterized()


def test_huge_axes_are_labelled_in_powers_of_ten(escaped: Experiment) -> None:
    figure = surface_figure(escaped, resolution=SMALL_GRID)
    figure.draw_without_rendering()
    contour_axes = line(figure, "path").axes
    for axis, name in ((contour_axes.xaxis, "w1"), (contour_axes.yaxis, "w2")):
        label = axis.get_label_text()
        assert label.startswith(f"{name} (×10") and label.endswith(")")
        power = int(label[len(name) + 4:-1].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        assert power == 7  # the weights reach 1.4e7
        low, high = axis.get_view_interval()
        for tick in axis.get_major_ticks():
            value = tick.get_loc()
            if low <= value <= high:
                shown = float(tick.label1.get_text().replace("−", "-"))
                assert shown * 10.0**power == pytest.approx(value, abs=1e-6 * 10.0**power)
        assert not axis.get_offset_text().get_text()  # no stray '1e7' by the tick labels
    assert "×10" in figure.axes[0].zaxis.get_label_text()  # type: ignore[attr-defined]


def test_the_surface_is_an_image_in_svg_so_the_file_stays_small(short_plane: Experiment) -> None:
    figure = surface_figure(short_plane, resolution=60)  # 60 a side: as many facets as the full 120 grid draws
    svg = io.BytesIO()
    figure.savefig(svg, format="svg")
    text = svg.getvalue().decode()
    assert text.count("<image ") == 1
    assert len(svg.getvalue()) < 600_000  # all facets as vector paths: 1.3 MB


def test_a_diverged_slice_names_its_held_values_the_last_finite_ones(diverged_figures: dict[str, Figure]) -> None:
    texts = " ".join(text.get_text() for text in diverged_figures["surface"].texts)
    assert "(its last finite value)" in texts and "trained value" not in texts


def test_labels_read_as_text(escaped: Experiment) -> None:
    figure = surface_figure(escaped, resolution=SMALL_GRID)
    assert line(figure, "path").get_label() == "GD path (1 epoch)"
    assert equation([-1.5, 2.0, -0.25], ["x1", "x2"]) == "ŷ = −1.5 + 2·x1 − 0.25·x2"
    assert [rate_legend_columns(n) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 3, 2, 3, 3]
