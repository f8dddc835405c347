"""The command line as a user meets it: summaries, JSON, renders, and one-line errors with exit status 2."""

from __future__ import annotations

import json
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
        (["render", "compare"], ["compare needs 1 to 4 rates"]),
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
    assert f"wrote {tmp_path}/plane/dashboard-lr{float(lr):g}.mp4" in result.stdout
    assert (tmp_path / "plane" / f"dashboard-lr{float(lr):g}.mp4").stat().st_size > 0


def test_render_an_unwritable_out_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    assert_bad_input(invoke("render", "--out", str(blocker), "--size", "320x180"), str(blocker))


def test_the_default_render_end_to_end(tmp_path: Path) -> None:
    """`gdviz render` as a user types it: dashboard of the lab's data, MP4 1280x720 and a GIF 640 wide."""
    import av
    from PIL import Image

    result = invoke("render", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    mp4, gif = tmp_path / "plane" / "dashboard-lr0.1.mp4", tmp_path / "plane" / "dashboard-lr0.1.gif"
    assert f"wrote {mp4}  1280x720, 180 frames, 6.0 s" in result.stdout
    with av.open(str(mp4)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.codec_context.width, stream.codec_context.height, stream.average_rate) == (1280, 720, 30)
        assert sum(1 for _ in container.decode(video=0)) == 180
    assert gif.stat().st_size < 2_000_000
    with Image.open(gif) as image:
        assert image.width == 640 and image.info["loop"] == 0
    assert sorted(path.name for path in (tmp_path / "plane").iterdir()) == [gif.name, mp4.name]  # no litter
