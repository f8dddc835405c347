"""The explorable page: its numbers against gdcore, its size and escaping, then the page itself in headless Chromium."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdcore.datasets import Dataset, load_dataset
from gdcore.errors import GdvizInputError
from gdcore.experiment import RunRequest, prepare
from gdcore.regimes import preset_rates
from scenes import explore
from scenes.explore import (
    explore_page,
    explore_path,
    explore_rates,
    explore_runs,
    page_data,
    rounded,
    script_json,
    shown_epochs,
    write_explore_page,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
]  # fmt: skip
HOSTILE = "</script><img src=x onerror=alert(1)>"  # a CSV header that would break out of a script tag, or fetch
SHORT = RunRequest(epochs=40)  # few epochs: a small, fast page


@pytest.fixture(scope="module")
def line() -> Dataset:
    return load_dataset("line")


@pytest.fixture(scope="module")
def hostile(line: Dataset) -> Dataset:
    return replace(line, feature_names=(HOSTILE,), target_name="y & <b>z</b>")


def embedded(page: str) -> dict[str, Any]:
    """The page's JSON, read back as the browser's JSON.parse would."""
    match = re.search(r'<script type="application/json" id="gdviz-data">(.*?)</script>', page, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))


# The numbers -----------------------------------------------------------------------------------------------


def test_rates_span_slow_to_divergent_with_the_presets_and_extras(line: Dataset) -> None:
    lambda_max = prepare(line, RunRequest(epochs=1)).problem.lambda_max
    rates = explore_rates(lambda_max, [0.123])
    assert list(rates) == sorted(set(rates)) and 0.123 in rates
    assert set(preset_rates(lambda_max).values()) <= set(rates)
    assert len(rates) >= explore.RATE_COUNT
    assert rates[0] * lambda_max < 0.2 and rates[-1] * lambda_max > 2
    with pytest.raises(GdvizInputError, match="learning rate must be"):
        explore_rates(lambda_max, [-1.0])


def test_runs_follow_gdcore(line: Dataset) -> None:
    runs = explore_runs(line, [0.05], SHORT)
    chosen = next(run for run in runs if run.trajectory.lr == 0.05)
    direct = prepare(line, RunRequest(lr=0.05, epochs=40))
    np.testing.assert_array_equal(chosen.trajectory.weights, direct.trajectory.weights)
    assert [run.rate.regime.value for run in runs][:: len(runs) - 1] == ["slow", "divergent"]


def test_only_constant_rate_methods(line: Dataset) -> None:
    with pytest.raises(GdvizInputError, match=r"constant-rate methods \(gd, sgd\), not 'adam'"):
        explore_runs(line, None, RunRequest(optimizer="adam"))


def test_shown_epochs_keep_short_runs_whole_and_thin_long_ones() -> None:
    np.testing.assert_array_equal(shown_epochs(5), np.arange(6))
    long = shown_epochs(100_000, 150)
    assert long[0] == 0 and long[-1] == 100_000 and len(long) <= 152 and np.all(np.diff(long) > 0)
    np.testing.assert_array_equal(long[:10], np.arange(10))  # every early epoch: the fast drop


def test_rounded_keeps_four_significant_digits() -> None:
    assert rounded([123456.0, 0.000123456, -1.23456]) == [123500.0, 0.0001235, -1.235]
    assert rounded(np.ones((2, 3)) / 3) == [[0.3333] * 3] * 2


def test_page_data_matches_the_trajectories(line: Dataset) -> None:
    runs = explore_runs(line, None, SHORT)
    data = page_data(runs)
    for run, shown in zip(runs, data["runs"], strict=True):
        epochs = np.array(shown["epochs"])
        np.testing.assert_allclose(shown["weights"], run.trajectory.weights[epochs], rtol=1e-3)
        assert shown["regime"] == run.rate.regime.value and shown["lr"] == run.trajectory.lr
        assert shown["epochs"][-1] == run.trajectory.epochs_run
    assert data["axes"] == [0, 1] and data["fit"]["kind"] == "line"


def test_two_features_show_predicted_against_actual() -> None:
    data = page_data(explore_runs(load_dataset("plane"), None, SHORT))
    assert data["fit"]["kind"] == "predicted" and data["axes"] == [1, 2]
    assert len(data["fit"]["features"]) == len(data["fit"]["y"]) == 100


# The document ----------------------------------------------------------------------------------------------


def test_script_json_cannot_close_its_script() -> None:
    text = script_json({"name": HOSTILE, "and": "a & b <!-- c -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": HOSTILE, "and": "a & b <!-- c -->"}


def test_data_names_are_escaped_everywhere(hostile: Dataset) -> None:
    page = explore_page(hostile, None, SHORT, cdn=True)
    assert "<img" not in page and "<b>z" not in page
    assert HOSTILE in embedded(page)["about"]
    assert html_text(page, "h1") == "line: gradient descent, learning rate by learning rate"
    fit_axis = embedded(page)["figures"]["fit"]["layout"]["xaxis"]["title"]["text"]
    assert fit_axis == "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"  # plotly reads tags in its text


def html_text(page: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", page)
    assert match is not None
    return match.group(1)


def test_sizes_inline_and_cdn(line: Dataset) -> None:
    inline, cdn = explore_page(line), explore_page(line, cdn=True)
    assert len(inline.encode()) <= 6_000_000 and len(cdn.encode()) <= 300_000
    assert "<script src=" not in inline and "<link" not in inline  # nothing to fetch (the browser test checks too)
    assert re.search(r'<script src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js"', cdn)


def test_write_is_atomic_and_named_by_settings(tmp_path: Path, line: Dataset) -> None:
    path = explore_path(tmp_path, line, [0.5, 0.05], cdn=True)
    assert path == tmp_path / "line" / "explore-lr0.5-0.05-cdn.html"
    assert explore_path(tmp_path, line) == tmp_path / "line" / "explore.html"
    write_explore_page(path, line, [0.5], SHORT, cdn=True)
    assert os.listdir(path.parent) == [path.name] and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# In a real browser -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: scripts/system-deps.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_the_page_in_chromium(browser: Any, hostile: Dataset, tmp_path: Path) -> None:
    path = write_explore_page(tmp_path / "explore.html", hostile, None, SHORT)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.text_content("#regime") == "good"
    assert page.text_content("#readout").startswith("epoch 0 · loss ")
    assert HOSTILE in page.text_content(".about")  # shown as text, not run as markup

    page.focus("#lr")
    page.keyboard.press("End")
    assert page.text_content("#regime") == "divergent"
    assert " · η·L 2.3 · growth ×1.3 per step" in page.text_content("#readout")
    page.keyboard.press("Home")
    assert page.text_content("#regime") == "slow"

    page.click("#step-forward")
    page.click("#step-forward")
    page.click("#step-back")
    assert page.input_value("#epoch") == "1"
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('epoch').value) > 3", timeout=30_000)
    page.click("#play")  # pause
    paused = page.input_value("#epoch")
    page.wait_for_timeout(300)
    assert page.input_value("#epoch") == paused

    assert errors == []
    assert requests == [path.as_uri()]
    page.close()


def test_the_view_holds_the_stable_paths_only(line: Dataset) -> None:
    runs = explore_runs(line, [0.001], SHORT)  # divergent runs that did not reach the bound in 40 epochs included
    view = page_data(runs)["view"]
    for run in runs:
        if run.rate.eta_lambda_max < 2:
            path = run.trajectory.weights[:, :2]
            assert np.all((view["x"][0] <= path[:, 0]) & (path[:, 0] <= view["x"][1]))
            assert np.all((view["y"][0] <= path[:, 1]) & (path[:, 1] <= view["y"][1]))
    assert np.ptp(view["x"]) < 10 and np.ptp(view["y"]) < 10  # not stretched by the escaping runs


def test_two_features_in_chromium(browser: Any, tmp_path: Path) -> None:
    """Predicted against actual, and a run that diverged: the fit view notes the predictions left the chart."""
    path = write_explore_page(tmp_path / "plane.html", load_dataset("plane"), None, RunRequest(epochs=60))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    page.focus("#lr")
    page.keyboard.press("End")
    page.focus("#epoch")
    page.keyboard.press("End")
    assert page.text_content("#regime") == "divergent"
    assert "diverged at epoch" in page.text_content("#readout")
    page.locator("#view-fit").get_by_text("off the chart").wait_for(timeout=30_000)  # painted on the next frame
    assert errors == []
    page.close()
