"""`gdviz sweep`: the table, strict JSON, the figure's files, the observed threshold against 2/L, bad input."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes

from gdcore.datasets import load_preset
from gdcore.options import RunOptions, build_sweep
from gdcore.sweep import regime_bands
from scenes.figures import sweep_figure
from scenes.mpl.layouts import Look, build_stage
from scenes.mpl.stage import still_frame
from scenes.mpl.sweep import SweepLossPanel, label_spot
from scenes.registry import scene_runs, scene_spec
from tests.scenes.test_cli import assert_bad_input, invoke


def test_sweep_json_lists_every_rate_and_writes_png_and_svg(tmp_path: Path) -> None:
    result = invoke("sweep", "--dataset", "line", "--steps", "6", "--epochs", "50", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"lr_stable_max", "observed_threshold", "rates"} <= set(report)
    assert len(report["rates"]) == 6
    assert {"lr", "regime", "status", "final_loss", "epochs_run"} <= set(report["rates"][0])
    lr_stable = report["lr_stable_max"]
    np.testing.assert_allclose([row["lr"] for row in report["rates"]], lr_stable * np.geomspace(0.01, 1.5, 6))
    assert report["rates"][-1]["status"] == "diverged"
    files = sorted(path.name for path in (tmp_path / "line").iterdir())
    assert [Path(name).suffix for name in files] == [".png", ".svg"] and files[0].startswith("figure-sweep-")


def test_sweep_prints_a_table_and_takes_a_range(tmp_path: Path) -> None:
    result = invoke("sweep", "--steps", "3", "--lr-min", "0.01", "--lr-max", "0.1", "--epochs", "20", "--out",
                    str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "0.01 " in result.stdout and "largest stable rate" in result.stdout and "wrote" in result.stdout


@pytest.mark.parametrize(("args", "fragment"), [
    (("--steps", "0"), "--steps must be at least 1"),
    (("--lr", "0.1"), "No such option '--lr'"),
    (("--regime", "good"), "No such option '--regime'"),
    (("--lr-min", "-1"), "0 < low <= high"),
])
def test_sweep_bad_input_is_one_line(args: tuple[str, ...], fragment: str, tmp_path: Path) -> None:
    assert_bad_input(invoke("sweep", "--no-figure", "--out", str(tmp_path), *args), fragment)


def test_sweep_offers_no_option_it_would_reject() -> None:
    """It chooses its rates: its help lists --lr-min and --lr-max, not --lr or --regime."""
    listed = [line.split()[0] for line in invoke("sweep", "--help").output.splitlines()
              if line.lstrip().startswith("--")]  # the options list: one option at the start of each line
    assert "--lr-min" in listed and "--lr-max" in listed and "--epochs" in listed
    assert "--lr" not in listed and "--regime" not in listed


def test_gds_observed_threshold_is_two_over_l_given_enough_epochs() -> None:
    base, result = build_sweep(load_preset("plane"), RunOptions(epochs=5000), steps=8, lr_min=None, lr_max=None)
    two_over_l = 2.0 / base.problem.lambda_max
    assert result.lr_stable_max == pytest.approx(two_over_l)
    assert result.observed_threshold == pytest.approx(two_over_l, rel=0.01)


def test_the_bands_cover_the_rates_in_order_and_the_figure_draws_every_rate() -> None:
    base, result = build_sweep(load_preset("plane"), RunOptions(epochs=40), steps=10)
    bands = regime_bands(result)
    assert [band[2].value for band in bands] == ["slow", "good", "jumping", "divergent"]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bands))
    rates = [row.lr for row in result.rows]
    assert bands[0][0] < min(rates) and bands[-1][1] > max(rates)
    figure = sweep_figure(result, base)
    offsets = np.concatenate([collection.get_offsets() for collection in figure.axes[0].collections
                              if len(collection.get_offsets())])
    assert sorted(offsets[:, 0]) == pytest.approx(sorted(rates))


def assert_preset_labels_clear(axes: Axes, marked: list[float]) -> None:
    """Each preset's label box (pixels, as drawn) crosses no marked line (2/L, the observed threshold) and no
    other label."""
    renderer = axes.get_figure(root=True)._get_renderer()
    boxes = [text.get_window_extent(renderer) for text in axes.texts if text.get_text().endswith(" preset")]
    assert len(boxes) >= 3
    for rate in marked:
        x = axes.transData.transform((rate, 1.0))[0]
        assert all(not box.x0 <= x <= box.x1 for box in boxes), f"a preset label crosses the line at {rate:.4g}"
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second)


def test_the_sweep_figures_preset_labels_cross_no_marked_line_nor_each_other() -> None:
    base, result = build_sweep(load_preset("plane"), RunOptions(), steps=12)
    assert result.lr_stable_max is not None and result.observed_threshold is not None
    figure = sweep_figure(result, base)
    figure.draw_without_rendering()  # as saved
    assert_preset_labels_clear(figure.axes[0], [result.lr_stable_max, result.observed_threshold])


def test_the_sweep_scenes_preset_labels_cross_no_marked_line() -> None:
    runs = scene_runs(scene_spec("sweep"), load_preset("plane"), RunOptions(epochs=60),
                      rates=(0.01, 0.05, 0.1, 0.2, 0.3, 0.5))
    stage = build_stage("sweep", runs, Look(640, 360))
    still_frame(stage, 60)
    losses = stage.panels[1]
    assert isinstance(losses, SweepLossPanel)
    assert_preset_labels_clear(losses.presets.axes, [2.0 / runs[0].problem.lambda_max])


def test_a_label_goes_past_the_lines_in_its_way_nearest_first() -> None:
    assert label_spot(100.0, 10.0, 2.0, [], (0.0, 200.0)) == 88.0  # left of its mark
    assert label_spot(100.0, 10.0, 2.0, [(95.0, 95.0)], (0.0, 200.0)) == 102.0  # a line on the left: right
    assert label_spot(100.0, 10.0, 2.0, [(95.0, 95.0), (104.0, 104.0)], (0.0, 200.0)) == 106.0  # past the line
    assert label_spot(5.0, 10.0, 2.0, [], (0.0, 200.0)) == 7.0  # no room on the left
