"""The command line as a user meets it: summaries, JSON, renders, and one-line errors with exit status 2."""

from __future__ import annotations

import errno
import io
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scenes.cli import cli

TRAIN_KEYS = {"dataset", "n_samples", "params", "lr", "regime", "optimizer", "status", "epochs_run", "initial_loss",
              "final_loss", "weights", "closed_form", "closed_form_loss", "lambda_max", "lambda_min",
              "condition_number", "lr_stable_max"}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_bad_input(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gdviz: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_train_prints_the_labs_summary() -> None:
    result = invoke("train")
    assert result.exit_code == 0, result.output
    assert "initial 39.8849" in result.stdout and "ran all 300 epochs" in result.stdout
    assert "w2" in result.stdout and "closed form" in result.stdout and "good" in result.stdout


def test_train_json_has_every_key_and_matches_the_lab() -> None:
    result = invoke("train", "--json")
    report = json.loads(result.stdout)
    assert report.keys() >= TRAIN_KEYS
    assert report["params"] == ["b", "w1", "w2"] and report["lr"] == 0.1 and report["epochs_run"] == 300
    assert report["lr_stable_max"] == pytest.approx(2 / report["lambda_max"])
    assert report["final_loss"] == pytest.approx(report["closed_form_loss"], rel=1e-3)


def test_train_at_08_diverges_with_eta_l_496() -> None:
    report = json.loads(invoke("train", "--lr", "0.8", "--json").stdout)
    assert report["status"] == "diverged" and report["regime"] == "divergent"
    assert report["eta_lambda_max"] == pytest.approx(4.96, abs=0.005)


def test_train_with_each_optimizer_runs() -> None:
    for name in ("gd", "decay", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "sgd"):
        result = invoke("train", "--optimizer", name, "--epochs", "20", "--json")
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.stdout)["optimizer"] == name


def test_regimes_json() -> None:
    report = json.loads(invoke("regimes", "--lr", "0.005", "--lr", "0.8", "--json").stdout)
    assert set(report) >= {"lambda_max", "lambda_min", "condition_number", "lr_stable_max", "presets", "rates"}
    assert set(report["presets"]) == {"slow", "good", "jumping", "divergent"}
    assert [rate["regime"] for rate in report["rates"]] == ["slow", "divergent"]
    assert set(report["rates"][0]) == {"lr", "regime", "eta_lambda_max", "growth"}


def test_list_version_and_help() -> None:
    assert "five-points" in invoke("list").stdout and "adam" in invoke("list").stdout
    assert invoke("--version").stdout.startswith("gdviz, version")
    for command in ("train", "regimes", "render", "figures", "list"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["train", "--lr", "0"], ["learning rate", "got 0"]),
        (["train", "--lr", "-1"], ["got -1"]),
        (["train", "--lr", "nan"], ["got nan"]),
        (["train", "--lr", "inf"], ["got inf"]),
        (["train", "--epochs", "0"], ["epochs", "got 0"]),
        (["train", "--dataset", "plnae"], ["'plnae'", "did you mean 'plane'"]),
        (["train", "--optimizer", "adma"], ["'adma'", "did you mean 'adam'"]),
        (["train", "--regime", "jumpy"], ["'jumpy'", "did you mean 'jumping'"]),
        (["train", "--cost", "mae"], ["'mae'", "mse"]),
        (["train", "--lr", "0.1", "--regime", "good"], ["either --lr or --regime"]),
        (["train", "--init", "1,2"], ["--init '1,2'", "3 finite numbers"]),
        (["train", "--beta1", "0.5"], ["--beta1", "adam"]),
        (["train", "--epochs", "ten"], ["'ten'"]),
        (["train", "--nonsense"], ["--nonsense"]),
        (["render", "spiral"], ["'spiral'", "dashboard"]),
        (["render", "--format", "avi"], ["'avi'", "mp4"]),
        (["render", "--size", "10x10"], ["--size '10x10'"]),
        (["render", "--theme", "neon"], ["'neon'", "dark"]),
        (["render", "--time", "exp"], ["'exp'", "log"]),
        (["render", "--fps", "0"], ["fps", "got 0"]),
        (["render", "compare", *["--lr", "0.1"] * 5], ["compare shows 1 to 4 rates", "got 5"]),
        (["render", "regimes", "--lr", "0.1"], ["regimes scene"]),
        (["figures", "--format", "gif"], ["'gif'", "png"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragments: list[str], tmp_path: Path) -> None:
    assert_bad_input(invoke(*args, *(["--out", str(tmp_path)] if args[0] in ("render", "figures") else [])),
                     *fragments)


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("content", "x", "y", "fragments"),
    [
        (None, "x", "y", ["no such file"]),
        ("", "x", "y", ["empty"]),
        ("x,y\n", "x", "y", ["no data rows"]),
        ("x,y\n1,2\n3,4\n5,6\n", "z", "y", ["'z'"]),
        ("x,y\n1,2\n3,abc\n5,6\n", "x", "y", ["row 3", "'abc'"]),
        ("x,y\n1,2\n3,\n5,6\n", "x", "y", ["row 3"]),
        ("x1,x2,y\n1,2,3\n4,5,6\n", "x1,x2", "y", ["2 rows", "3 parameters"]),
    ],
)
def test_bad_csv_is_one_line_and_exit_2(tmp_path: Path, content: str | None, x: str, y: str,
                                        fragments: list[str]) -> None:
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    assert_bad_input(invoke("train", "--data", str(path), "--x", x, "--y", y), *fragments)


def test_binary_csv_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"x,y\n\x00\x01\x02\n")
    assert_bad_input(invoke("train", "--data", str(path), "--x", "x", "--y", "y"), "data.csv")


def test_csv_trains_and_a_duplicated_feature_only_warns(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i},{2 * i + 1}" for i in range(10))
    path = write(tmp_path / "dup.csv", f"a,b,y\n{rows}\n")
    result = invoke("train", "--data", path, "--x", "a,b", "--y", "y", "--json")
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "singular" in result.stderr
    report = json.loads(result.stdout)
    assert report["condition_number"] is None and report["dataset"] == "dup"


@pytest.mark.parametrize("lr", ["0.8", "1e6"])
def test_render_divergence_exits_0_without_warnings(tmp_path: Path, lr: str) -> None:
    result = invoke("render", "--lr", lr, "--size", "320x180", "--fps", "8", "--duration", "1",
                    "--format", "mp4", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    (movie,) = (tmp_path / "plane").glob(f"dashboard-lr{float(lr):g}-h*.mp4")  # small and short: a hashed name
    assert f"wrote {movie}" in result.stdout and movie.stat().st_size > 0


def test_render_an_unwritable_out_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    assert_bad_input(invoke("render", "--out", str(blocker), "--size", "320x180"), str(blocker))


def test_a_full_disk_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scenes.render

    def full(*args: object, **kwargs: object) -> None:  # as Manim reports it: a RuntimeError of its own
        raise RuntimeError("Failed to finish video segment") from full_disk(tmp_path / "line.mp4")

    monkeypatch.setattr(scenes.render, "render", full)
    result = invoke("render", "line", "--format", "png", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"gdviz: error: no space left on device ({tmp_path / 'line.mp4'})\n"


def full_disk(path: Path) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_the_default_render_end_to_end(tmp_path: Path) -> None:
    """`gdviz render` as a user types it: dashboard of the lab's data, MP4 1280x720 and a GIF drawn 720 wide."""
    import av
    from PIL import Image

    result = invoke("render", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    mp4, gif = tmp_path / "plane" / "dashboard-lr0.1.mp4", tmp_path / "plane" / "dashboard-lr0.1.gif"
    assert f"wrote {mp4}  1280x720, 180 frames, 6.0 s" in result.stdout
    assert f"wrote {gif}  720x404, " in result.stdout  # the summary names the size the GIF was drawn at
    with av.open(str(mp4)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.codec_context.width, stream.codec_context.height, stream.average_rate) == (1280, 720, 30)
        assert sum(1 for _ in container.decode(video=0)) == 180
    assert gif.stat().st_size < 2_000_000
    with Image.open(gif) as image:
        assert image.size == (720, 404) and image.info["loop"] == 0
    record = tmp_path / "plane" / "dashboard-lr0.1.json"  # how it was made: see tests/scenes/test_jobs.py
    assert sorted(path.name for path in (tmp_path / "plane").iterdir()) == [gif.name, record.name, mp4.name]


# ── The audit's additions: every bad input the issue lists, odd things users type, strict JSON ──────────────


def strict_json(text: str) -> dict:
    """Exactly one JSON object on one line, with no NaN or Infinity tokens."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    report = json.loads(lines[0], parse_constant=refuse)
    assert isinstance(report, dict)
    return report


def test_train_summary_prints_the_labs_numbers() -> None:
    result = invoke("train")
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    assert "initial 39.8849, final 0.236418, closed form 0.236418" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()[:1] in (["b"], ["w1"],
                                                                                                     ["w2"])}
    assert rows == {"b": ["0.956775", "0.955305", "1"], "w1": ["1.91392", "1.91457", "2"],
                    "w2": ["3.17912", "3.17983", "3"]}  # learned, closed form, true
    assert "regime      good: η·L = 0.62" in out and "init        b = 0, w1 = 0, w2 = 0" in out


@pytest.mark.parametrize(
    ("dataset", "lr", "epochs", "cost", "init"),
    [("plane", 0.1, 300, "mse", [0.0, 0.0, 0.0]),
     ("line", 0.01, 1000, "half-mse", [1.0, 1.0]),
     ("line-wide", 0.01, 200, "mse", [0.5863372815313004, -0.47258767675848407]),
     ("five-points", 0.01, 1000, "mse", [0.75, 0.48])],
)
def test_each_preset_trains_with_its_tutorials_settings(dataset: str, lr: float, epochs: int, cost: str,
                                                        init: list[float]) -> None:
    report = strict_json(invoke("train", "--dataset", dataset, "--json").stdout)
    assert (report["lr"], report["epochs_run"], report["cost"]) == (lr, epochs, cost)
    assert report["init"] == pytest.approx(init, rel=1e-15)
    assert report["dataset"] == dataset and report["status"] == "max_epochs" and report["diverged_at"] is None


def test_train_json_values_agree_with_an_independent_computation() -> None:
    import numpy as np

    from gdcore.datasets import load_preset

    report = strict_json(invoke("train", "--json").stdout)
    assert report.keys() >= TRAIN_KEYS
    plane = load_preset("plane")
    design = np.column_stack([np.ones(100), plane.features])
    hessian = 2 / 100 * design.T @ design
    eigenvalues = np.linalg.eigvalsh(hessian)
    optimum = np.linalg.lstsq(design, plane.target, rcond=None)[0]
    assert report["n_samples"] == 100 and report["optimizer"] == "gd" and report["regime"] == "good"
    assert report["lambda_max"] == pytest.approx(eigenvalues[-1], rel=1e-12)
    assert report["lambda_min"] == pytest.approx(eigenvalues[0], rel=1e-12)
    assert report["condition_number"] == pytest.approx(eigenvalues[-1] / eigenvalues[0], rel=1e-10)
    assert report["lr_stable_max"] == pytest.approx(2 / eigenvalues[-1], rel=1e-12)
    assert report["closed_form"] == pytest.approx(optimum, rel=1e-10)
    assert report["closed_form_loss"] == pytest.approx(np.mean((design @ optimum - plane.target) ** 2), rel=1e-10)
    assert report["final_loss"] == pytest.approx(np.mean((design @ report["weights"] - plane.target) ** 2), rel=1e-10)


@pytest.mark.parametrize("lr", ["1e6", "1e300", "1e308"])
def test_huge_rates_diverge_with_strict_json_and_no_warning(lr: str) -> None:
    result = invoke("train", "--lr", lr, "--json")
    assert result.exit_code == 0 and result.stderr == "", result.output
    report = strict_json(result.stdout)
    assert report["status"] == "diverged" and report["regime"] == "divergent" and report["diverged_at"] >= 1
    assert report["epochs_run"] in (report["diverged_at"], report["diverged_at"] - 1)
    summary = invoke("train", "--lr", lr)
    assert summary.exit_code == 0 and f"DIVERGED at epoch {report['diverged_at']}" in summary.stdout
    assert "reduce the learning rate" in summary.stdout


def test_regimes_json_is_strict_and_its_presets_land_in_their_regimes() -> None:
    result = invoke("regimes", "--lr", "0.005", "--lr", "0.1", "--lr", "0.3", "--lr", "0.8", "--lr", "1e308",
                    "--json")
    assert result.exit_code == 0, result.output
    report = strict_json(result.stdout)
    assert report.keys() >= {"lambda_max", "lambda_min", "condition_number", "lr_stable_max", "presets", "rates"}
    lam = report["lambda_max"]
    for regime, lr in report["presets"].items():
        assert strict_json(invoke("regimes", "--lr", str(lr), "--json").stdout)["rates"][0]["regime"] == regime
    assert [rate["regime"] for rate in report["rates"]] == ["slow", "good", "jumping", "divergent", "divergent"]
    for rate in report["rates"][:4]:
        assert rate["eta_lambda_max"] == pytest.approx(rate["lr"] * lam, rel=1e-12)
        # ρ = max|1 − ηλ| over the spectrum: for these it is the larger of |1 − ηλ_min| and |1 − ηλ_max|
        expected = max(abs(1 - rate["lr"] * report["lambda_min"]), abs(1 - rate["lr"] * lam))
        assert rate["growth"] == pytest.approx(expected, rel=1e-12)
    assert report["rates"][4]["eta_lambda_max"] is None  # η·L overflows: null, not Infinity


def test_every_command_has_help_with_an_example() -> None:
    for command in ("train", "regimes", "render", "figures", "list"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout
        assert "Example" in result.stdout and f"gdviz {command}" in result.stdout, command
    top = invoke("--help")
    assert top.exit_code == 0 and "Examples:" in top.stdout


def test_version_is_the_packages() -> None:
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"gdviz, version {version('gdviz')}"


def test_list_names_every_dataset_optimizer_and_regime() -> None:
    from gdcore.datasets import DATASET_NAMES
    from gdcore.optimizers import OPTIMIZER_NAMES
    from gdcore.regimes import REGIME_NAMES

    out = invoke("list").stdout
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    for key, names in (("datasets", DATASET_NAMES), ("optimizers", OPTIMIZER_NAMES), ("regimes", REGIME_NAMES)):
        assert all(name in lines[key] for name in names), key


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["train", "--lr", "abc"], ["'abc'", "float"]),
        (["train", "--lr", "-inf"], ["got -inf"]),
        (["train", "--lr", "-0.5"], ["learning rate", "> 0", "got -0.5"]),
        (["train", "--epochs", "-5"], ["epochs", "got -5"]),
        (["train", "--epochs", "1.5"], ["'1.5'", "integer"]),
        (["train", "--epochs", "100000000000"], ["from 1 to 1,000,000", "got 100000000000"]),
        (["train", "--init", "1,2,3,4"], ["--init '1,2,3,4'", "3 finite numbers B,W1,W2"]),
        (["train", "--init", "a,b,c"], ["--init 'a,b,c'", "'zeros'"]),
        (["train", "--init", "nan,0,0"], ["--init 'nan,0,0'"]),
        (["train", "--init", "1e200,0,0"], ["so large that the loss overflows"]),
        (["train", "--dataset", "line", "--init", "0,0,0"], ["2 finite numbers B,W1"]),
        (["train", "--optimizer", "sgd", "--batch-size", "0"], ["batch size", "integer >= 1", "got 0"]),
        (["train", "--optimizer", "momentum", "--momentum", "-1"], ["momentum", "[0, 1)", "got -1"]),
        (["train", "--optimizer", "momentum", "--momentum", "1"], ["momentum", "[0, 1)", "got 1"]),
        (["train", "--optimizer", "adam", "--eps", "0"], ["eps", "> 0"]),
        (["train", "--momentum", "0.5"], ["--momentum", "does not apply", "'gd'"]),
        (["train", "--dataset", "synthetic", "--n", "0"], ["n_samples 0", "≥ 1"]),
        (["train", "--dataset", "synthetic", "--features", "0"], ["n_features 0", "≥ 1"]),
        (["train", "--dataset", "synthetic", "--noise", "-1"], ["noise -1.0", "≥ 0"]),
        (["train", "--dataset", "synthetic", "--noise", "nan"], ["noise nan"]),
        (["train", "--dataset", "synthetic", "--seed", "-1"], ["seed -1", "≥ 0"]),
        (["train", "--dataset", "synthetic", "--n", "1000000000000"], ["does not fit in memory"]),
        (["train", "--dataset", "synthetic", "--n", "2", "--features", "2"], ["fewer than the 3 parameters"]),
        (["train", "--dataset", "Plane"], ["'Plane'", "did you mean 'plane'"]),
        (["train", "--dataset", "line_wide"], ["'line_wide'", "did you mean 'line-wide'"]),
        (["train", "--optimizer", "Adam"], ["'Adam'", "did you mean 'adam'"]),
        (["train", "--regime", "Good"], ["'Good'", "did you mean 'good'"]),
        (["train", "--cost", "half_mse"], ["'half_mse'", "mse, half-mse", "did you mean 'half-mse'"]),
        (["train", "--cost", "MSE"], ["did you mean 'mse'"]),
        (["train", "--seed", "3"], ["--seed 3", "synthetic", "sgd"]),
        (["train", "--n", "5"], ["--n", "synthetic", "'plane'"]),
        (["train", "--tol", "0"], ["tolerance", "> 0"]),
        (["train", "--x", "x", "--y", "y"], ["--data FILE"]),
        (["regimes", "--lr", "0"], ["learning rate", "got 0"]),
        (["regimes", "--lr", "nan"], ["got nan"]),
        (["regimes", "--cost", "halfmse"], ["'halfmse'", "did you mean 'half-mse'"]),
        (["regimes", "--seed", "3"], ["--seed 3"]),
        (["regimes", "--dataset", "fivepoints"], ["did you mean 'five-points'"]),
    ],
)
def test_odd_input_is_one_honest_line_and_exit_2(args: list[str], fragments: list[str]) -> None:
    assert_bad_input(invoke(*args), *fragments)


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("x,y\n", ["data.csv", "header row but no data rows"]),
        ("x;y\n", ["header row but no data rows"]),
        ("\ufeffx,y\n\n", ["header row but no data rows"]),
        ("  \n\n", ["data.csv", "is empty"]),
        ("x,y\n1,2\n3,abc\n5,6\n", ["row 3, column 'y': 'abc' is not a number"]),
        ("x,y\n1,2\n,4\n5,6\n", ["row 3, column 'x' is empty"]),
        ("x,y\n1,2\n3,nan\n5,6\n", ["row 3, column 'y'", "not a finite number"]),
        ("x;y\n1,5;2\n2,5;4\n3,5;7\n", ["row 2, column 'x'", "'1,5'", "decimals with a point"]),
        ("x y\n1 2\n3 4\n5 6\n", ["unknown x column 'x'", "commas, semicolons or tabs"]),
        ("x1,x2,y\n1,2,3\n4,5,6\n", ["2 rows but 3 parameters", "need at least 3 rows"]),
        ("x,y\n1,2\n3,4,5\n", ["row 3 has 3 cells"]),
        ("1,2\n3,4\n", ["looks like data, not a header"]),
    ],
)
def test_bad_csv_text_is_one_line_and_exit_2(tmp_path: Path, content: str, fragments: list[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    x = "x1,x2" if content.startswith("x1") else "x"
    assert_bad_input(invoke("train", "--data", str(path), "--x", x, "--y", "y"), *fragments)


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        (b"x,y\n1,2\n\x00\x01\x02\n", ["binary"]),
        ("x,y\n1,2\n2,4\n".encode("utf-16"), ["UTF-16", "UTF-8"]),
        (b"x,y\n1,2\n2,\xe94\n", ["not UTF-8", "0xe9"]),
    ],
)
def test_binary_and_foreign_encodings_are_named(tmp_path: Path, raw: bytes, fragments: list[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(raw)
    assert_bad_input(invoke("train", "--data", str(path), "--x", "x", "--y", "y"), "data.csv", *fragments)


def test_unreadable_and_missing_csv_and_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gdcore import reader

    assert_bad_input(invoke("train", "--data", str(tmp_path / "nope.csv"), "--x", "x", "--y", "y"),
                     "no such file", "nope.csv")
    assert_bad_input(invoke("train", "--data", str(tmp_path), "--x", "x", "--y", "y"), "is a directory")
    path = write(tmp_path / "data.csv", "x,y\n1,2\n2,4\n")

    def refuse(name: str, flags: int) -> int:
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(reader, "_os_open", refuse)  # as root, chmod 000 would not stop the read
    assert_bad_input(invoke("train", "--data", path, "--x", "x", "--y", "y"), "cannot read", "Permission denied")


def test_unknown_column_suggests_and_lists_the_header(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", "height,weight,age\n1,2,3\n4,5,7\n6,5,1\n")
    assert_bad_input(invoke("train", "--data", path, "--x", "hieght", "--y", "age"),
                     "unknown x column 'hieght'", "height, weight, age", "did you mean 'height'")
    assert_bad_input(invoke("train", "--data", path, "--x", "height", "--y", "5"), "index 5", "0 to 2")


def test_synthetic_sizes_do_not_apply_to_a_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", "x,y\n1,2\n2,4\n3,7\n")
    assert_bad_input(invoke("train", "--data", path, "--x", "x", "--y", "y", "--n", "3", "--noise", "2"),
                     "--n, --noise", "synthetic")


def test_a_bom_and_semicolons_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffx;y\r\n1;3\r\n2;5\r\n4;9\r\n".encode())
    report = strict_json(invoke("train", "--data", str(path), "--x", "x", "--y", "y", "--json").stdout)
    assert report["dataset"] == "excel" and report["n_samples"] == 3
    assert report["closed_form"] == pytest.approx([1.0, 2.0], abs=1e-12)  # y = 1 + 2x exactly


def test_a_constant_feature_only_warns_in_train_and_regimes(tmp_path: Path) -> None:
    path = write(tmp_path / "const.csv", "c,x,y\n" + "".join(f"1,{i},{3 * i - 1}\n" for i in range(6)))
    for args in (["train", "--json"], ["regimes", "--json"]):
        result = invoke(args[0], "--data", path, "--x", "c,x", "--y", "y", *args[1:])
        assert result.exit_code == 0, result.output
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("gdviz: warning:")
        report = strict_json(result.stdout)
        assert report["condition_number"] is None
    closed_form = report_of(invoke("train", "--data", path, "--x", "c,x", "--y", "y", "--json"))["closed_form"]
    # minimum-norm split of the intercept between b and the constant column: b = w_c = −1/2, slope 3
    assert closed_form == pytest.approx([-0.5, -0.5, 3.0], abs=1e-9)


def report_of(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return strict_json(result.stdout)


def test_standardize_is_reported_by_train_and_regimes() -> None:
    assert "(standardized)" in invoke("train", "--standardize").stdout
    assert report_of(invoke("train", "--standardize", "--json"))["standardized"] is True
    assert "features standardized" in invoke("regimes", "--standardize").stdout
    assert report_of(invoke("regimes", "--standardize", "--json"))["standardized"] is True
    assert report_of(invoke("regimes", "--json"))["standardized"] is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "quiet", "shown"), [(_Terminal, False, True), (_Terminal, True, False),
                                                        (io.StringIO, False, False)])
def test_the_progress_bar_shows_only_on_a_terminal_and_not_quiet(monkeypatch: pytest.MonkeyPatch,
                                                                  stream: type[io.StringIO], quiet: bool,
                                                                  shown: bool) -> None:
    from scenes.cli import _progress_bar

    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    with _progress_bar(10, quiet) as advance:
        assert (advance is not None) == shown
        for _ in range(10 if advance else 0):
            advance(1)
    assert ("rendering" in err.getvalue()) == shown
    assert bool(err.getvalue()) == shown


@pytest.mark.parametrize("command", [["--version"], ["list"], ["train"], ["regimes"], ["train", "--json"]])
def test_commands_that_draw_nothing_import_nothing_that_draws(command: list[str]) -> None:
    import subprocess

    code = ("import sys; from scenes.cli import cli\n"
            f"try:\n    cli.main({command!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "drawing = sorted(name for name in sys.modules if name.split('.')[0] in "
            "('matplotlib', 'manim', 'imageio', 'imageio_ffmpeg', 'PIL', 'av'))\n"
            "print(drawing, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_an_out_folder_name_too_long_is_one_line(tmp_path: Path) -> None:
    for command in (["render", "--format", "png"], ["figures"]):
        result = invoke(*command, "--out", str(tmp_path / ("a" * 300)))
        assert_bad_input(result, "output folder", "file name too long")
