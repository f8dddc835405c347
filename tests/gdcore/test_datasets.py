"""Tests for gdcore.datasets: presets against independent re-derivations of the tutorials, synthetic, CSV."""

from __future__ import annotations

import dataclasses
import pathlib
from pathlib import Path

import numpy as np
import pytest

from gdcore.datasets import (
    DATASET_NAMES,
    PRESET_NAMES,
    Dataset,
    Standardization,
    TrainingDefaults,
    load_csv,
    load_dataset,
    load_preset,
    standardize,
    synthetic,
)
from gdcore.errors import GdvizInputError
from gdcore.problem import design_matrix
from tests.gdcore.test_presets import lab_data


def least_squares(dataset: Dataset) -> np.ndarray:
    """ŵ = argmin ‖[1 | X]w − y‖², bias first."""
    design = np.column_stack([np.ones(dataset.n_samples), dataset.features])
    return np.linalg.lstsq(design, dataset.target, rcond=None)[0]


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line_error(excinfo: pytest.ExceptionInfo[GdvizInputError], *fragments: str) -> None:
    message = str(excinfo.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# ── Presets ────────────────────────────────────────────────────────────────────────────────────────────


def test_plane_matches_the_lab_recipe_with_a_local_generator() -> None:
    rs = np.random.RandomState(42)
    x1 = rs.uniform(0, 2, 100)
    x2 = rs.uniform(0, 2, 100)
    noise = 0.5 * rs.randn(100)
    y = 1 + 2 * x1 + 3 * x2 + noise
    plane = load_preset("plane")
    np.testing.assert_array_equal(plane.features, np.column_stack([x1, x2]))
    np.testing.assert_array_equal(plane.target, y)


def test_plane_matches_the_lab_global_seed_exactly_and_leaves_global_state_alone() -> None:
    design, y = lab_data()  # the lab's own calls on the global generator (its state restored afterwards)
    saved = np.random.get_state()
    try:
        np.random.seed(42)
        before = np.random.get_state()
        plane = load_preset("plane")
        after = np.random.get_state()
    finally:
        np.random.set_state(saved)
    assert before[1].tolist() == after[1].tolist() and before[2:] == after[2:]  # global stream untouched
    np.testing.assert_array_equal(plane.features, design[:, 1:])
    np.testing.assert_array_equal(plane.target, y)


def test_plane_facts() -> None:
    plane = load_preset("plane")
    assert (plane.n_samples, plane.n_features) == (100, 2)
    assert plane.features.min() >= 0 and plane.features.max() < 2
    assert plane.true_params == (1.0, 2.0, 3.0)
    assert plane.param_names == ("b", "w1", "w2")
    assert plane.feature_names == ("x1", "x2") and plane.target_name == "y"
    np.testing.assert_allclose(least_squares(plane), [1, 2, 3], atol=0.3)
    assert plane.defaults == TrainingDefaults(lr=0.1, epochs=300, init=None, cost="mse")
    assert "np.random.seed(42)" in plane.source


def test_line_wide_matches_the_lesson_recipe() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 100)
    y = 3 * x + 2 + rng.normal(0, 1, 100)
    w = rng.standard_normal(2)  # the lesson's weights for columns [x, 1]: (slope, intercept)
    wide = load_preset("line-wide")
    np.testing.assert_array_equal(wide.features[:, 0], x)
    np.testing.assert_array_equal(wide.target, y)
    assert wide.defaults.init == (w[1], w[0])  # bias first
    assert wide.true_params == (2.0, 3.0)
    assert (wide.defaults.lr, wide.defaults.epochs, wide.defaults.cost) == (0.01, 200, "mse")
    np.testing.assert_allclose(least_squares(wide), [2, 3], atol=0.5)


def test_five_points_is_the_notebooks_data() -> None:
    five = load_preset("five-points")
    np.testing.assert_array_equal(five.features, [[1], [2], [3], [4], [5]])
    np.testing.assert_array_equal(five.target, [1, 3, 3, 3, 5])
    assert five.true_params is None
    assert five.defaults == TrainingDefaults(lr=0.01, epochs=1000, init=(0.75, 0.48), cost="mse")
    np.testing.assert_allclose(least_squares(five), [0.6, 0.8])  # linregress: slope 0.8, intercept 0.6


def test_line_uses_its_documented_seed_x_first_then_noise() -> None:
    line = load_preset("line")
    assert "np.random.default_rng(4)" in line.source  # the documented seed, pinned: not read back from the code
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, 100)
    noise = rng.uniform(-0.2, 0.2, 100)
    np.testing.assert_array_equal(line.features[:, 0], x)
    np.testing.assert_array_equal(line.target, 2 * x + 1 + noise)
    residual = line.target - (1 + 2 * line.features[:, 0])
    assert np.abs(residual).max() <= 0.2
    assert line.true_params == (1.0, 2.0)
    assert line.defaults == TrainingDefaults(lr=0.01, epochs=1000, init=(1.0, 1.0), cost="half-mse")
    assert "unseeded" in line.source


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_are_read_only_frozen_and_one_line(name: str) -> None:
    dataset = load_preset(name)
    assert dataset.features.dtype == np.float64 and dataset.target.dtype == np.float64
    assert dataset.features.shape == (dataset.n_samples, dataset.n_features)
    assert dataset.target.shape == (dataset.n_samples,)
    for array in (dataset.features, dataset.target):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.defaults.lr = 1.0  # type: ignore[misc]
    assert dataset.name == name and "\n" not in dataset.source and not dataset.standardized
    assert len(dataset.param_names) == dataset.n_features + 1


def test_presets_are_the_same_on_every_load() -> None:
    for name in PRESET_NAMES:
        np.testing.assert_array_equal(load_preset(name).target, load_preset(name).target)


def test_unknown_preset_suggests_the_closest_name() -> None:
    with pytest.raises(GdvizInputError) as excinfo:
        load_preset("plnae")
    assert str(excinfo.value) == (
        "unknown dataset 'plnae': choose one of plane, line, line-wide, five-points, synthetic "
        "(did you mean 'plane'?)"
    )


# ── Synthetic and load_dataset ────────────────────────────────────────────────────────────────────────


def test_synthetic_is_deterministic_by_seed_and_has_the_asked_shape() -> None:
    a, b, c = synthetic(30, 3, 0.5, seed=7), synthetic(30, 3, 0.5, seed=7), synthetic(30, 3, 0.5, seed=8)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(a.features, c.features)
    assert a.features.shape == (30, 3) and a.target.shape == (30,)
    assert a.feature_names == ("x1", "x2", "x3") and a.param_names == ("b", "w1", "w2", "w3")
    assert a.features.min() >= 0 and a.features.max() < 2
    assert a.defaults == TrainingDefaults(lr=None, epochs=300, init=None, cost="mse")


def test_synthetic_recipe_and_true_parameters() -> None:
    data = synthetic(n_samples=50, n_features=6, noise=0.3, seed=3)
    assert data.true_params == (1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 2, (50, 6))
    w = np.array([2.0, 3.0, 4.0, 5.0, 2.0, 3.0])
    np.testing.assert_allclose(data.target, x @ w + 1.0 + 0.3 * rng.standard_normal(50), rtol=1e-13)
    noiseless = synthetic(n_samples=50, n_features=6, noise=0.0, seed=3)
    np.testing.assert_array_equal(noiseless.features, data.features)
    np.testing.assert_allclose(least_squares(noiseless), data.true_params, atol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n_samples": 0}, "n_samples 0"),
        ({"n_samples": 2.5}, "n_samples 2.5"),
        ({"n_features": 0}, "n_features 0"),
        ({"noise": -1.0}, "noise -1.0"),
        ({"noise": float("nan")}, "noise nan"),
        ({"noise": float("inf")}, "noise inf"),
        ({"seed": -3}, "seed -3"),
        ({"n_samples": 3, "n_features": 3}, "n_samples 3 is fewer than the 4 parameters"),
        ({"n_samples": 1}, "--n must be at least 2"),
    ],
)
def test_synthetic_rejects_bad_options(kwargs: dict[str, float], fragment: str) -> None:
    with pytest.raises(GdvizInputError) as excinfo:
        synthetic(**kwargs)  # type: ignore[arg-type]
    assert_one_line_error(excinfo, fragment)


def test_load_dataset_dispatches() -> None:
    assert set(DATASET_NAMES) == {*PRESET_NAMES, "synthetic"}
    np.testing.assert_array_equal(load_dataset("plane").target, load_preset("plane").target)
    made = load_dataset("synthetic", n_samples=12, n_features=2, noise=0.1, seed=5)
    np.testing.assert_array_equal(made.target, synthetic(12, 2, 0.1, 5).target)
    np.testing.assert_array_equal(load_dataset("synthetic").target, synthetic().target)


def test_load_dataset_errors() -> None:
    with pytest.raises(GdvizInputError) as excinfo:
        load_dataset("line_wide")
    assert_one_line_error(excinfo, "'line_wide'", "five-points", "did you mean 'line-wide'?")
    with pytest.raises(GdvizInputError) as excinfo:
        load_dataset("plane", n_samples=10)
    assert_one_line_error(excinfo, "--n", "synthetic", "'plane'")


# ── Standardize ───────────────────────────────────────────────────────────────────────────────────────


def test_standardize_gives_z_scores() -> None:
    raw = load_preset("line-wide")
    scaled = standardize(raw)
    np.testing.assert_allclose(scaled.features.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.features.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_array_equal(scaled.target, raw.target)
    assert scaled.standardized and scaled.true_params is None
    assert scaled.source.endswith("(features standardized)") and "\n" not in scaled.source
    assert scaled.defaults == raw.defaults and scaled.name == raw.name
    assert not scaled.features.flags.writeable
    assert standardize(scaled) is scaled


def test_standardize_only_centres_a_constant_feature() -> None:
    features = np.column_stack([np.full(4, 0.1), [1.0, 2.0, 3.0, 4.0], np.zeros(4)])
    data = Dataset(
        name="t",
        features=features,
        target=np.arange(4.0),
        feature_names=("c", "x", "z"),
        target_name="y",
        true_params=None,
        source="test",
        defaults=TrainingDefaults(lr=None, epochs=1, init=None, cost="mse"),
    )
    scaled = standardize(data)  # pytest -W error: any division warning fails here
    assert np.isfinite(scaled.features).all()
    np.testing.assert_allclose(scaled.features[:, 0], 0, atol=1e-15)
    np.testing.assert_array_equal(scaled.features[:, 2], 0)
    np.testing.assert_allclose(scaled.features[:, 1].std(), 1)


def test_dataset_copies_input_and_checks_shapes() -> None:
    features = np.ones((3, 1))
    defaults = TrainingDefaults(lr=None, epochs=1, init=None, cost="mse")
    data = Dataset("t", features, np.zeros(3), ("x",), "y", None, "test", defaults)
    features[0, 0] = 5.0
    assert data.features[0, 0] == 1.0
    with pytest.raises(GdvizInputError):
        Dataset("t", np.ones((3, 1)), np.zeros(4), ("x",), "y", None, "test", defaults)
    with pytest.raises(GdvizInputError):
        Dataset("t", np.ones((3, 1)), np.zeros(3), ("x", "z"), "y", None, "test", defaults)
    with pytest.raises(GdvizInputError):
        TrainingDefaults(lr=None, epochs=1, init=None, cost="rmse")


# ── CSV: good files ───────────────────────────────────────────────────────────────────────────────────


def test_csv_columns_by_name_and_by_index(tmp_path: Path) -> None:
    path = write(tmp_path, "id,x1,x2,y\n1,0.5,1.5,3\n2,1.0,2.0,4.5\n\n3,2.0,0.0,2.25\n4,3,1,6\n")
    by_name = load_csv(path, "x1,x2", "y")
    by_index = load_csv(path, "1, 2", "3")
    mixed = load_csv(str(path), "x1,2", "y")
    for data in (by_name, by_index, mixed):
        np.testing.assert_array_equal(data.features, [[0.5, 1.5], [1.0, 2.0], [2.0, 0.0], [3, 1]])
        np.testing.assert_array_equal(data.target, [3, 4.5, 2.25, 6])
        assert data.feature_names == ("x1", "x2") and data.target_name == "y"
    assert by_name.name == "data" and by_name.true_params is None
    assert by_name.source == f"CSV file {path}: y=y, x=x1,x2"
    assert by_name.defaults == TrainingDefaults(lr=None, epochs=300, init=None, cost="mse")
    assert not by_name.features.flags.writeable and not by_name.target.flags.writeable
    swapped = load_csv(path, "x2", "x1")
    np.testing.assert_array_equal(swapped.target, [0.5, 1.0, 2.0, 3])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_and_whitespace(tmp_path: Path, delimiter: str) -> None:
    rows = [["x", " y "], [" 1.5", "2 "], ["  -2e-1", "4"], ["3", "6.25"]]
    text = "\n".join(delimiter.join(cells) for cells in rows) + "\n   \n"
    data = load_csv(write(tmp_path, text), "x", "y")
    np.testing.assert_array_equal(data.features[:, 0], [1.5, -0.2, 3])
    np.testing.assert_array_equal(data.target, [2, 4, 6.25])


def test_csv_with_windows_line_endings_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes("\ufeffx,y\r\n1,2\r\n3,4\r\n".encode())
    data = load_csv(path, "x", "y")
    assert data.feature_names == ("x",)
    np.testing.assert_array_equal(data.target, [2, 4])


# ── CSV: errors ───────────────────────────────────────────────────────────────────────────────────────


def csv_error(path: Path, x_columns: str = "x", y_column: str = "y") -> pytest.ExceptionInfo[GdvizInputError]:
    with pytest.raises(GdvizInputError) as excinfo:
        load_csv(path, x_columns, y_column)
    return excinfo


def test_csv_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(csv_error(tmp_path / "nope.csv"), "no such file", "nope.csv")


def test_csv_directory(tmp_path: Path) -> None:
    assert_one_line_error(csv_error(tmp_path), str(tmp_path), "is a directory")


def test_csv_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "x,y\n1,2\n3,4\n")

    def refuse(self: pathlib.Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    assert_one_line_error(csv_error(path), "cannot read", "data.csv", "Permission denied")


def test_csv_empty(tmp_path: Path) -> None:
    assert_one_line_error(csv_error(write(tmp_path, "")), "data.csv", "is empty")
    assert_one_line_error(csv_error(write(tmp_path, " \n\n")), "data.csv", "is empty")


def test_csv_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"x,y\n1,\x002\n")
    assert_one_line_error(csv_error(path), "data.csv", "binary")
    path.write_bytes(b"x,y\n1,2\xff\n")
    assert_one_line_error(csv_error(path), "data.csv", "not UTF-8", "0xff")


def test_csv_header_only(tmp_path: Path) -> None:
    assert_one_line_error(csv_error(write(tmp_path, "x,y\n\n")), "data.csv", "no data rows")


def test_csv_without_a_header(tmp_path: Path) -> None:
    assert_one_line_error(csv_error(write(tmp_path, "1,2\n3,4\n")), "data.csv", "1, 2", "header")


def test_csv_unknown_column_lists_headers_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "x1,x2,y\n1,2,3\n4,5,7\n6,5,1\n")
    excinfo = csv_error(path, "x1,xx2", "y")
    assert_one_line_error(excinfo, "unknown x column 'xx2'", "x1, x2, y", "did you mean 'x2'?", "data.csv")
    assert_one_line_error(csv_error(path, "x1", "Y"), "unknown y column 'Y'", "did you mean 'y'?")
    assert_one_line_error(csv_error(path, "x1", "target"), "'target'", "x1, x2, y")


def test_csv_index_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "x1,x2,y\n1,2,3\n4,5,7\n6,5,1\n")
    assert_one_line_error(csv_error(path, "0,3", "y"), "index 3", "out of range", "0 to 2")
    assert_one_line_error(csv_error(path, "0", "-1"), "index -1", "out of range")


def test_csv_y_among_x_and_repeated_x(tmp_path: Path) -> None:
    path = write(tmp_path, "x1,x2,y\n1,2,3\n4,5,7\n6,5,1\n")
    assert_one_line_error(csv_error(path, "x1,y", "y"), "'y'", "also among the x columns")
    assert_one_line_error(csv_error(path, "x1,1", "x2"), "'x2'", "also among the x columns")
    assert_one_line_error(csv_error(path, "x1,0", "y"), "'x1'", "more than once")
    assert_one_line_error(csv_error(path, "x1,,x2", "y"), "empty column name")


def test_csv_non_numeric_cell_names_row_and_column(tmp_path: Path) -> None:
    lines = ["x1,x2,y", *(f"{i},{i + 1},{i + 2}" for i in range(5)), "5,abc,7", "6,7,8"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    excinfo = csv_error(path, "x1,x2", "y")
    assert_one_line_error(excinfo, "row 7, column 'x2': 'abc' is not a number")


def test_csv_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n\n1,2\n\n2,oops\n")
    assert_one_line_error(csv_error(path), "row 5, column 'y': 'oops' is not a number")


def test_csv_empty_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n1,2\n,4\n3,5\n")
    assert_one_line_error(csv_error(path), "row 3, column 'x'", "empty")


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity"])
def test_csv_rejects_nan_and_inf(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, f"x,y\n1,2\n2,{bad}\n3,5\n")
    assert_one_line_error(csv_error(path), f"row 3, column 'y': '{bad}' is not a finite number")


def test_csv_unselected_text_column_is_fine(tmp_path: Path) -> None:
    data = load_csv(write(tmp_path, "city,x,y\nParis,1,2\nOslo,2,3\nRome,3,5\n"), "x", "y")
    np.testing.assert_array_equal(data.target, [2, 3, 5])


def test_csv_ragged_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n1,2\n3,4,5\n")
    assert_one_line_error(csv_error(path), "row 3 has 3 cells", "header (row 1) has 2")
    path = write(tmp_path, "x,y,z\n1,2,3\n4,5\n")
    assert_one_line_error(csv_error(path), "row 3 has 2 cells")


def test_csv_fewer_rows_than_parameters(tmp_path: Path) -> None:
    path = write(tmp_path, "x1,x2,x3,y\n1,2,3,4\n2,3,5,7\n1,1,1,1\n")
    excinfo = csv_error(path, "x1,x2,x3", "y")
    assert_one_line_error(excinfo, "3 rows but 4 parameters (b, w1, w2, w3): need at least 4 rows")


def test_standardized_weights_map_back_to_the_raw_least_squares_fit() -> None:
    raw = load_preset("line-wide")
    scaled = standardize(raw)
    assert raw.standardization is None and scaled.standardization is not None
    np.testing.assert_allclose(scaled.standardization.means, raw.features.mean(axis=0))
    np.testing.assert_allclose(scaled.standardization.scales, raw.features.std(axis=0))
    raw_fit = np.linalg.lstsq(design_matrix(raw.features), raw.target, rcond=None)[0]
    scaled_fit = np.linalg.lstsq(design_matrix(scaled.features), scaled.target, rcond=None)[0]
    np.testing.assert_allclose(scaled.weights_in_original_units(scaled_fit), raw_fit, rtol=1e-10)
    np.testing.assert_allclose(scaled.standardization.to_standardized_units(raw_fit), scaled_fit, rtol=1e-10)
    np.testing.assert_array_equal(raw.weights_in_original_units(raw_fit), raw_fit)


def test_original_units_keep_the_predictions_for_a_whole_path() -> None:
    rng = np.random.default_rng(1)
    raw = synthetic(n_samples=30, n_features=3, seed=2)
    scaled = standardize(raw)
    path = rng.normal(size=(7, 4))  # 7 epochs of [b, w1, w2, w3] in standardized units
    original = scaled.weights_in_original_units(path)
    assert original.shape == (7, 4)
    np.testing.assert_allclose(design_matrix(raw.features) @ original.T, design_matrix(scaled.features) @ path.T,
                               atol=1e-12)
    assert scaled.standardization is not None
    np.testing.assert_allclose(scaled.standardization.to_standardized_units(original), path, atol=1e-12)


def test_a_constant_feature_is_only_shifted_back() -> None:
    features = np.column_stack([np.full(4, 0.1), [1.0, 2.0, 3.0, 4.0]])
    defaults = TrainingDefaults(lr=None, epochs=1, init=None, cost="mse")
    scaled = standardize(Dataset("t", features, np.arange(4.0), ("c", "x"), "y", None, "test", defaults))
    assert scaled.standardization is not None
    np.testing.assert_array_equal(scaled.standardization.scales[0], 1.0)
    assert not scaled.standardization.means.flags.writeable and not scaled.standardization.scales.flags.writeable
    np.testing.assert_allclose(scaled.weights_in_original_units(np.array([1.0, 2.0, 0.0])), [1.0 - 0.2, 2.0, 0.0])


def test_a_standardization_must_fit_the_features() -> None:
    defaults = TrainingDefaults(lr=None, epochs=1, init=None, cost="mse")
    wrong = Standardization(means=np.zeros(2), scales=np.ones(2))
    with pytest.raises(GdvizInputError, match="standardization"):
        Dataset("t", np.ones((3, 1)), np.zeros(3), ("x",), "y", None, "test", defaults, True, wrong)
    with pytest.raises(GdvizInputError, match="positive scales"):
        Standardization(means=np.zeros(1), scales=np.zeros(1))
