"""`gdviz batch`: a lecture file's clips checked first, rendered in parallel or on a Dask cluster, skipped when
up to date, bad clips named and skipped."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gdcore.cluster as cluster
import scenes.batch as batch
from scenes.registry import SCENES
from tests.scenes.test_cli import assert_bad_input, full_disk, invoke

LECTURE = """
[defaults]
dataset = "line"
size = "320x180"
fps = 6
duration = 0.5
epochs = 30

[[clip]]
name = "diverge"
title = "Too large a rate"
lr = 5
format = "png"

[[clip]]
scene = "compare"
lr = [0.05, 0.5]
format = ["png"]

[[clip]]
scene = "contour"
regime = "jumping"
format = "png"
"""


def _lecture(tmp_path: Path, text: str = LECTURE) -> Path:
    path = tmp_path / "lecture.toml"
    path.write_text(text)
    return path


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_a_lecture_renders_every_clip_then_is_up_to_date(tmp_path: Path) -> None:
    lecture, out = _lecture(tmp_path), tmp_path / "out"
    result = invoke("batch", str(lecture), "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    stills = sorted(path.name for path in (out / "line").glob("*.png"))
    assert len(stills) == 3 and "diverge.png" in stills
    assert 'clip 1 "diverge": wrote' in result.stdout and "clip 2 (compare): wrote" in result.stdout
    again = invoke("batch", str(lecture), "--jobs", "1", "--out", str(out))
    assert again.exit_code == 0 and again.stdout.count("up to date") == 3 and "wrote" not in again.stdout
    forced = invoke("batch", str(lecture), "--jobs", "1", "--force", "--out", str(out))
    assert forced.stdout.count("wrote") == 3


def test_parallel_jobs_render_the_same_frames_as_one_job(tmp_path: Path) -> None:
    lecture = _lecture(tmp_path)
    assert invoke("batch", str(lecture), "--jobs", "1", "--out", str(tmp_path / "one")).exit_code == 0
    result = invoke("batch", str(lecture), "--jobs", "2", "--out", str(tmp_path / "two"))
    assert result.exit_code == 0, result.output
    for still in (tmp_path / "one" / "line").glob("*.png"):
        assert np.array_equal(_pixels(still), _pixels(tmp_path / "two" / "line" / still.name)), still.name


def render_or_die(options: dict[str, object]) -> object:
    """A batch worker's render (imported by reference in the worker), except that the clip named "dies" kills its
    own process after its second frame, its files under way, as the kernel's out-of-memory killer would."""
    if options.get("name") == "dies":
        import scenes.render

        frames = scenes.render.blitted_frames

        def dying(*args: object) -> Iterator[object]:
            for number, frame in enumerate(frames(*args)):  # type: ignore[arg-type]
                if number == 2:
                    assert any(Path(str(options["out"]), "line").glob(".dies.*")), "nothing under way yet"
                    os.kill(os.getpid(), signal.SIGKILL)
                yield frame

        scenes.render.blitted_frames = dying  # type: ignore[assignment]
    return batch._render_in_worker(options)


def test_a_worker_that_dies_fails_only_its_clip_and_leaves_nothing_behind(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    text = LECTURE + '\n[[clip]]\nname = "dies"\nformat = ["mp4", "gif"]\nmax-size = "1MB"\n'
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "_render_in_worker", render_or_die)
    result = invoke("batch", str(_lecture(tmp_path, text)), "--jobs", "2", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f'gdviz: clip 4 "dies": {batch.WORKER_DIED}']
    assert result.stdout.count("wrote") == 3 and len(list((out / "line").glob("*.png"))) == 3
    assert list(out.rglob(".*")) == [] and not list(out.rglob("dies*"))


def render_on_a_full_disk(options: dict[str, object]) -> object:
    """A batch worker's render (imported by reference in the worker) on a full disk, as Manim reports it: a
    RuntimeError of its own, the system's refusal its cause (which pickling leaves behind)."""
    def full(*args: object) -> None:
        raise RuntimeError("Failed to finish video segment") from full_disk(Path("line.mp4"))

    batch.render_job = full  # type: ignore[assignment]
    return batch._render_in_worker(options)


def test_a_full_disk_is_one_line_per_clip_from_a_worker_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_render_in_worker", render_on_a_full_disk)
    result = invoke("batch", str(_lecture(tmp_path)), "--jobs", "2", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert sorted(result.stderr.strip().splitlines()) == [
        f"gdviz: {label}: no space left on device (line.mp4)"
        for label in ('clip 1 "diverge"', "clip 2 (compare)", "clip 3 (contour)")]


def test_a_bad_clip_is_named_and_skipped_while_the_others_render(tmp_path: Path) -> None:
    text = LECTURE + '\n[[clip]]\nscene = "linee"\n\n[[clip]]\nname = "typo"\nlearning-rate = 0.1\n' \
                     '\n[[clip]]\nscene = "loss"\nlr = "fast"\nformat = "png"\n'
    result = invoke("batch", str(_lecture(tmp_path, text)), "--jobs", "1", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert errors == [
        f"gdviz: clip 4 (linee): unknown scene 'linee': choose one of {', '.join(SCENES)} (did you mean 'line'?)",
        "gdviz: clip 5 \"typo\": unknown key 'learning-rate'",
        "gdviz: clip 6 (loss): lr = 'fast' should be a list or a number",
    ]
    assert len(list((tmp_path / "out" / "line").glob("*.png"))) == 3


def test_two_clips_writing_the_same_file_and_a_dry_run(tmp_path: Path) -> None:
    text = LECTURE + '\n[[clip]]\nname = "diverge"\nscene = "loss"\nformat = "png"\n'
    result = invoke("batch", str(_lecture(tmp_path, text)), "--dry-run", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert 'clip 4 "diverge": writes the same files as clip 1 "diverge": give it a --name' in result.stderr
    assert (result.stdout.count("would render") == 3 and not (tmp_path / "out").exists()) or not any(
        (tmp_path / "out").rglob("*.png"))


@pytest.mark.parametrize(("text", "fragments"), [
    ("[[clip]\nscene = 1", ["lecture.toml", "not TOML"]),
    ("[[clips]]\nscene = 'line'", ["unknown table 'clips'", "did you mean 'clip'?"]),
    ("[defaults]\ndataset = 'line'", ["needs at least one [[clip]]"]),
    ("[defaults]\nepoch = 3\n[[clip]]\nscene = 'line'", ["[defaults]", "unknown key 'epoch'", "'epochs'"]),
])
def test_a_malformed_lecture_file_is_one_line_and_exit_2(tmp_path: Path, text: str, fragments: list[str]) -> None:
    assert_bad_input(invoke("batch", str(_lecture(tmp_path, text))), *fragments)
    assert_bad_input(invoke("batch", str(tmp_path / "absent.toml")), "absent.toml", "cannot read")


def test_clips_render_on_a_dask_local_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the dask extra is installed by make test")
    text = LECTURE.split("[[clip]]\nscene = \"compare\"")[0]  # the first clip only: a cluster starts in seconds
    result = invoke("batch", str(_lecture(tmp_path, text)), "--scheduler", "local", "--jobs", "1",
                    "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "line"
    assert (folder / "diverge.png").exists() and (folder / "diverge.json").exists()


def render_or_die_once(options: dict[str, object]) -> object:
    """A Dask task's render (imported by reference in the worker), except that the clip named "dies" kills its
    worker process after its second frame the first time it runs."""
    first = Path(str(options["out"]), "died-once")
    if options.get("name") == "dies" and not first.exists():
        first.parent.mkdir(parents=True, exist_ok=True)
        first.touch()
        return render_or_die(options)
    return batch.render_clip(options)


def test_a_clip_whose_dask_worker_died_runs_again_and_leaves_nothing_behind(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed", reason="the dask extra is installed by make test")
    text = '[[clip]]\nname = "dies"\ndataset = "line"\nformat = ["mp4", "gif"]\nmax-size = "1MB"\nfps = 6\n' \
           'duration = 0.5\nsize = "320x180"\n'
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "render_clip", render_or_die_once)
    result = invoke("batch", str(_lecture(tmp_path, text)), "--scheduler", "local", "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "died-once").exists() and result.stdout.count('clip 1 "dies": wrote') == 2
    assert list(out.rglob(".*")) == []


def test_an_unreachable_scheduler_is_one_line_within_its_timeout(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed", reason="the dask extra is installed by make test")
    monkeypatch.setattr(cluster, "SCHEDULER_TIMEOUT_S", 1)
    result = invoke("batch", str(_lecture(tmp_path)), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path))
    assert_bad_input(result, "--scheduler tcp://127.0.0.1:9", "no Dask scheduler answered within 1 s")
