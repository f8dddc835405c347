"""Data files streamed into statistics: Parquet, globs and folders, the row budget and its sample, hostile input."""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdcore.datasets import load_file, standardize, synthetic
from gdcore.errors import GdvizInputError
from gdcore.experiment import RunRequest, prepare
from gdcore.problem import Problem, design_matrix
from gdcore.reader import MAX_LINE_BYTES
from gdcore.statistics import SHOWN_ROWS


def rows(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = np.round(rng.uniform(0, 2, (n, 2)), 6)
    return features, np.round(1 + features @ np.array([2.0, 3.0]) + 0.1 * rng.standard_normal(n), 6)


def write_csv(path: Path, features: np.ndarray, target: np.ndarray) -> Path:
    lines = ["x1,x2,y", *(f"{a!r},{b!r},{c!r}" for (a, b), c in zip(features.tolist(), target.tolist(), strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path, features: np.ndarray, target: np.ndarray) -> Path:
    pq.write_table(pa.table({"x1": features[:, 0], "x2": features[:, 1], "y": target}), path)
    return path


def lstsq(features: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(design_matrix(features), target, rcond=None)[0]


def one_line_error(*args: object, **kwargs: object) -> str:
    with pytest.raises(GdvizInputError) as excinfo:
        load_file(*args, **kwargs)  # type: ignore[arg-type]
    message = str(excinfo.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# ── Formats, globs, folders ───────────────────────────────────────────────────────────────────────────


def test_parquet_is_told_by_its_content_not_its_name(tmp_path: Path) -> None:
    features, target = rows(300)
    data = load_file(write_parquet(tmp_path / "data.csv", features, target), "x1,x2", "y")  # a misleading name
    np.testing.assert_array_equal(data.features, features)
    np.testing.assert_array_equal(data.target, target)
    assert "Parquet" in data.source and data.n_samples == 300 and data.rows_kept


def test_parquet_columns_by_index_and_in_the_order_asked(tmp_path: Path) -> None:
    features, target = rows(50)
    data = load_file(write_parquet(tmp_path / "d.parquet", features, target), "x2, 0", "2")
    assert data.feature_names == ("x2", "x1") and data.target_name == "y"
    np.testing.assert_array_equal(data.features, features[:, ::-1])


def test_parquet_bad_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0, None, 4.0], "name": ["a", "b", "c", "d"], "y": [1.0, 2, 3, 4]}), path)
    assert "row 3, column 'x'" in one_line_error(path, "x", "y")
    assert "'name' holds string values, not numbers" in one_line_error(path, "name", "y")
    assert "did you mean 'x'" in one_line_error(path, "X", "y")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    assert "cannot be read as Parquet" in one_line_error(tmp_path / "broken.parquet", "x", "y")


@pytest.mark.parametrize("pattern", ["parts/*.csv", "parts", "parts/"])
def test_a_glob_or_a_folder_is_one_dataset(tmp_path: Path, pattern: str) -> None:
    features, target = rows(90)
    (tmp_path / "parts").mkdir()
    write_csv(tmp_path / "parts" / "a.csv", features[:40], target[:40])
    write_csv(tmp_path / "parts" / "b.csv", features[40:], target[40:])
    (tmp_path / "parts" / "_SUCCESS").write_text("")  # a Spark marker, skipped in a folder
    data = load_file(str(tmp_path / pattern), "x1,x2", "y")
    assert data.n_samples == 90 and data.name == "parts" and "2 CSV files" in data.source
    np.testing.assert_allclose(Problem.from_dataset(data).closed_form, lstsq(features, target), rtol=1e-9)


def test_a_folder_may_mix_csv_and_parquet(tmp_path: Path) -> None:
    features, target = rows(60)
    write_csv(tmp_path / "a.csv", features[:20], target[:20])
    write_parquet(tmp_path / "b.parquet", features[20:], target[20:])
    data = load_file(tmp_path, "x1,x2", "y")
    assert data.n_samples == 60 and "CSV or Parquet" in data.source
    np.testing.assert_array_equal(data.target, target)


def test_an_empty_glob_or_folder(tmp_path: Path) -> None:
    assert "no file matches the pattern" in one_line_error(str(tmp_path / "*.csv"), "x", "y")
    assert "is a directory with no data files" in one_line_error(tmp_path, "x", "y")


# ── The row budget and the sample ─────────────────────────────────────────────────────────────────────


def test_past_the_row_budget_the_numbers_still_come_from_every_row(tmp_path: Path) -> None:
    features, target = rows(SHOWN_ROWS + 2_000)
    path = write_parquet(tmp_path / "d.parquet", features, target)
    full = load_file(path, "x1,x2", "y")
    sampled = load_file(path, "x1,x2", "y", row_budget=1_000)
    assert full.rows_kept and not sampled.rows_kept
    assert sampled.n_samples == SHOWN_ROWS + 2_000 and sampled.shown_rows == SHOWN_ROWS
    assert sampled.sample_note == f"{SHOWN_ROWS:,} of {SHOWN_ROWS + 2_000:,} points shown"
    np.testing.assert_allclose(Problem.from_dataset(sampled).closed_form, lstsq(features, target), rtol=1e-9)
    # The sample is made of the file's rows, and is the same on every read.
    again = load_file(path, "x1,x2", "y", row_budget=1_000)
    np.testing.assert_array_equal(sampled.features, again.features)
    index = {tuple(row): i for i, row in enumerate(np.column_stack([features, target]))}
    assert all(tuple(row) in index for row in np.column_stack([sampled.features, sampled.target]))
    assert load_file(path, "x1,x2", "y", row_budget=1_000, seed=1).features.tolist() != sampled.features.tolist()


def test_standardize_uses_every_row_when_only_a_sample_is_kept(tmp_path: Path) -> None:
    features, target = rows(SHOWN_ROWS + 500)
    data = standardize(load_file(write_parquet(tmp_path / "d.parquet", features, target), "x1,x2", "y",
                                 row_budget=1_000))
    z = (features - features.mean(axis=0)) / features.std(axis=0)
    np.testing.assert_allclose(Problem.from_dataset(data).closed_form, lstsq(z, target), rtol=1e-9, atol=1e-12)


def test_sgd_without_the_rows_is_one_line_suggesting_full_batch(tmp_path: Path) -> None:
    features, target = rows(SHOWN_ROWS + 10)
    data = load_file(write_parquet(tmp_path / "d.parquet", features, target), "x1,x2", "y", row_budget=1_000)
    with pytest.raises(GdvizInputError, match=r"mini-batch sgd needs every row.*--optimizer gd") as excinfo:
        prepare(data, RunRequest(optimizer="sgd"))
    assert "\n" not in str(excinfo.value)
    assert prepare(data, RunRequest(optimizer="gd")).trajectory.epochs_run == 300


def test_a_large_dataset_is_drawn_from_a_fixed_sample() -> None:
    data = synthetic(SHOWN_ROWS * 3, 1, 1.0, 0)
    features, target = data.shown
    assert data.rows_kept and features.shape == (SHOWN_ROWS, 1) and target.shape == (SHOWN_ROWS,)
    np.testing.assert_array_equal(features, synthetic(SHOWN_ROWS * 3, 1, 1.0, 0).shown[0])
    assert data.sample_note == f"{SHOWN_ROWS:,} of {SHOWN_ROWS * 3:,} points shown"
    assert synthetic(100).sample_note == "" and synthetic(100).shown_rows == 100


def test_synthetic_past_the_budget_streams_the_same_numbers() -> None:
    whole = synthetic(3_000, 2, 0.5, 9)
    streamed = synthetic(3_000, 2, 0.5, 9, row_budget=1_000)
    np.testing.assert_array_equal(whole.features, streamed.features)  # the sample holds all 3,000 rows
    np.testing.assert_allclose(whole.target, streamed.target, rtol=1e-15)
    np.testing.assert_allclose(Problem.from_dataset(streamed).closed_form, Problem.from_dataset(whole).closed_form,
                               rtol=1e-12)


# ── Hostile input: one line, bounded time ─────────────────────────────────────────────────────────────


def test_a_fifo_with_no_writer_gives_up_after_the_timeout(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    start = time.monotonic()
    message = one_line_error(fifo, "x", "y", timeout=0.2)
    assert time.monotonic() - start < 5 and "yielded no data within 0.2 s" in message


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write("x,y\n1,3\n2,5\n4,9\n")

    thread = threading.Thread(target=writer)
    thread.start()
    data = load_file(fifo, "x", "y", timeout=5)
    thread.join()
    np.testing.assert_array_equal(data.target, [3, 5, 9])


def test_a_writer_that_stalls_mid_file_ends_in_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    release = threading.Event()

    def writer() -> None:
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write("x,y\n" + "1,2\n" * 50_000)  # past the first bytes peeked at: pyarrow is reading
            handle.flush()
            release.wait(10)  # holds the FIFO open, silent, until the reader has given up

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        message = one_line_error(fifo, "x", "y", timeout=0.3)
    finally:
        release.set()
        thread.join()
    assert "yielded no data within 0.3 s" in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_end_in_one_line(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    message = one_line_error(device, "x", "y", timeout=0.5)
    assert device in message and ("binary" in message or "empty" in message or "UTF-8" in message)


def test_nul_bytes_anywhere_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"x,y,note\n" + b"1,2,ok\n" * 50_000 + b"3,4,n\x00\n")  # past the first block, unselected
    assert "NUL byte" in one_line_error(path, "x", "y")


def test_a_line_past_the_limit_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"x,y\n1,2\n" + b"7" * (MAX_LINE_BYTES + 10) + b",3\n4,5\n")
    message = one_line_error(path, "x", "y")
    assert "row 3 is longer than" in message and f"{MAX_LINE_BYTES:,} bytes" in message


def test_an_unclosed_quote_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('x,y\n1,2\n"3,4\n5,6\n', encoding="utf-8")
    assert "row 3 opens a quote" in one_line_error(path, "x", "y")


def test_bad_cells_past_the_first_block_name_their_row(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    padding = "p" * 100
    path.write_text("x,y,note\n" + f"1.5,2,{padding}\n" * 50_000 + f"2,abc,{padding}\n", encoding="utf-8")
    assert path.stat().st_size > MAX_LINE_BYTES  # past pyarrow's first block
    assert "row 50002, column 'y': 'abc' is not a number" in one_line_error(path, "x", "y")


def test_values_whose_squares_overflow_name_the_column_and_the_fix_works(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1e200,1\n2e200,3\n3e200,5\n", encoding="utf-8")
    message = one_line_error(path, "x", "y")
    assert "column 'x' reaches 3e+200" in message and "divide it by 1e201" in message
    path.write_text("x,y\n0.1,1\n0.2,3\n0.3,5\n", encoding="utf-8")  # the same column divided by 1e201
    assert prepare(load_file(path, "x", "y")).trajectory.status in ("max_epochs", "converged")


def test_too_many_features_and_synthetic_sizes_are_refused_before_any_work() -> None:
    for kwargs, fragment in [({"n_samples": 2**63}, "does not fit in memory"),
                             ({"n_samples": 10_000_000, "n_features": 50}, "past the budget"),
                             ({"n_samples": 5000, "n_features": 1001}, "limit of 1,000 features"),
                             ({"noise": 1e155}, "at most 1e+140")]:
        start = time.monotonic()
        with pytest.raises(GdvizInputError, match=re.escape(fragment)):
            synthetic(**kwargs)  # type: ignore[arg-type]
        assert time.monotonic() - start < 1.0


_PIECES = ["x", "y", ",", ";", "\t", "\n", "\r\n", '"', " ", "1", "2.5", "-3e2", "1e200", "nan", "inf", "abc",
           "1,5", "\r", "\x85", "\u2028", "\x0c", "\x00", "\xff", "\ufeff", ""]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(["x,y\n", "y;x\n", "a,x,y\n", "", "1,2\n"]),
       body=st.lists(st.sampled_from(_PIECES), max_size=40), raw=st.binary(max_size=30))
def test_any_bytes_give_a_dataset_or_one_line(tmp_path: Path, header: str, body: list[str], raw: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(header.encode() + "".join(body).encode("utf-8", "surrogatepass") + raw)
    start = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            data = load_file(path, "x", "y", timeout=0.5)
        except GdvizInputError as error:
            assert "\n" not in str(error) and str(error)
        else:
            assert np.all(np.isfinite(data.features)) and data.n_samples >= 2
            assert np.isfinite(Problem.from_dataset(data).closed_form_loss)
    assert time.monotonic() - start < 5
