"""`gdviz batch` deciding from the records alone which clips are up to date (no run trained, no drawing library
imported, each data source fingerprinted once), ordering the clips to render by their likely cost, and stopping
at an interrupt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scenes.batch as batch
import scenes.jobs as jobs
from scenes.batch import SECONDS_PER_MEGAPIXEL, Clip, _expected_cost, check_clips, pending, read_lecture
from scenes.registry import SCENES
from tests.scenes.test_batch import LECTURE
from tests.scenes.test_cli import invoke

ROOT = Path(__file__).resolve().parents[2]
POINTS = "x,y\n" + "\n".join(f"{i},{2 * i + 1}" for i in range(12))
DATA_CLIP = '\n[[clip]]\nname = "points"\nscene = "loss"\ndata = "{data}"\nx = "x"\ny = "y"\nformat = "png"\n'


def _rendered_lecture(tmp_path: Path, text: str = LECTURE) -> tuple[Path, Path]:
    lecture, out = tmp_path / "lecture.toml", tmp_path / "out"
    lecture.write_text(text)
    result = invoke("batch", str(lecture), "--jobs", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    return lecture, out


def _fresh_labels(lecture: Path, out: Path) -> list[str]:
    _, fresh = pending(check_clips(read_lecture(lecture), str(out)), force=False)
    return [clip.label for clip in fresh]


def test_up_to_date_clips_are_decided_without_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lecture, out = _rendered_lecture(tmp_path)

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("a run was trained to decide that a clip is up to date")

    monkeypatch.setattr(jobs, "scene_runs", no_training)
    checked = check_clips(read_lecture(lecture), str(out))
    todo, fresh = pending(checked, force=False)
    assert todo == [] and len(fresh) == 3
    assert {path.name for item in checked for path in item.paths} == {
        path.name for path in (out / "line").glob("*.png")}


@pytest.mark.parametrize(("rendered", "counts"), [(True, "0 3"), (False, "3 0")])
def test_checking_a_lecture_imports_no_drawing_library(tmp_path: Path, rendered: bool, counts: str) -> None:
    """Whether its clips are up to date or to be rendered (planned: files named, sizes budgeted), the checks leave
    matplotlib, Manim and imageio to what renders: an up-to-date rerun stays fast, and a parallel batch's command
    does not import what its workers import again."""
    if rendered:
        lecture, out = _rendered_lecture(tmp_path)
    else:
        lecture, out = tmp_path / "lecture.toml", tmp_path / "out"
        lecture.write_text(LECTURE)
    script = ("import sys; from scenes.batch import check_clips, pending, read_lecture; "
              f"todo, fresh = pending(check_clips(read_lecture({str(lecture)!r}), {str(out)!r}), False); "
              "print(len(todo), len(fresh), sorted({'matplotlib', 'manim', 'imageio'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                            env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert result.stdout.split("\n")[0] == f"{counts} []", result.stderr


def test_each_data_source_is_fingerprinted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lecture, out = _rendered_lecture(tmp_path)
    seen: list[str] = []
    fingerprint = jobs.data_fingerprint

    def counted(dataset: jobs.Dataset) -> str:
        seen.append(dataset.name)
        return fingerprint(dataset)

    monkeypatch.setattr(jobs, "data_fingerprint", counted)
    assert len(_fresh_labels(lecture, out)) == 3
    assert seen == ["line"]  # three clips of one dataset


def test_a_clip_whose_record_no_longer_matches_is_rendered_again(tmp_path: Path) -> None:
    data = tmp_path / "points.csv"
    data.write_text(POINTS)
    each_on_line = LECTURE.replace('dataset = "line"\n', "", 1).replace("[[clip]]\n", '[[clip]]\ndataset = "line"\n')
    lecture, out = _rendered_lecture(tmp_path, each_on_line + DATA_CLIP.format(data=data))
    assert _fresh_labels(lecture, out) == ['clip 1 "diverge"', "clip 2 (compare)", "clip 3 (contour)",
                                           'clip 4 "points"']
    data.write_text(POINTS.replace("23", "24"))  # another data point: another fingerprint
    record = out / "line" / "diverge.json"
    record.write_text(json.dumps(json.loads(record.read_text()) | {"gdviz": "0.0.1"}))  # another version
    next((out / "line").glob("compare-*.png")).unlink()  # a file gone
    assert _fresh_labels(lecture, out) == ["clip 3 (contour)"]
    again = invoke("batch", str(lecture), "--jobs", "1", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert again.stdout.count("wrote") == 3 and again.stdout.count("up to date") == 1


def test_forcing_or_a_dry_run_plans_the_up_to_date_clips_too(tmp_path: Path) -> None:
    lecture, out = _rendered_lecture(tmp_path)
    dry = invoke("batch", str(lecture), "--dry-run", "--force", "--out", str(out))
    assert dry.exit_code == 0 and dry.stdout.count("would render") == 3, dry.output
    assert f"{out / 'line' / 'diverge.png'}" in dry.stdout


def test_clips_are_expected_to_cost_by_their_scene_and_their_pixels() -> None:
    def cost(**options: object) -> float:
        return _expected_cost(Clip(1, options))

    assert cost(scene="regimes", size="854x480") > cost(scene="line", size="854x480")
    assert cost(scene="update-rule", quality="low") > cost(scene="line", engine="manim", quality="low")
    assert cost(scene="line", engine="manim", quality="high") > 4 * cost(scene="line", engine="manim", quality="low")
    assert cost(scene="line", duration=10) == pytest.approx(2 * cost(scene="line", duration=5))
    assert cost(scene="line", format="png") < cost(scene="line", format="mp4") < cost(scene="line")
    assert cost(scene="no-such-scene") == 0.0


def test_every_scene_each_engine_draws_has_a_measured_cost() -> None:
    unmeasured = [(engine, name) for name, spec in SCENES.items() for engine in spec.engines
                  if (engine, name) not in SECONDS_PER_MEGAPIXEL]
    assert unmeasured == [], "measure them: benchmarks/batch.py --costs"


def test_an_interrupted_worker_renders_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[object] = []

    def interrupted(options: object) -> None:
        rendered.append(options)
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "render_clip", interrupted)
    monkeypatch.setattr(batch, "_worker_interrupted", [False])
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            batch._render_in_worker({"scene": "line"})
    assert rendered == [{"scene": "line"}]  # the clip queued after the interrupt never started


def test_the_workers_fork_server_starts_before_the_first_clip_is_planned_and_only_then(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server's imports overlap the checks: it starts as the first clip that needs rendering is found,
    before that clip is planned; a lecture with nothing to render starts none (a server still importing would hold
    the command's output open), nor does a dry run, one job, or a Dask scheduler."""
    lecture, out = _rendered_lecture(tmp_path)
    events: list[str] = []
    monkeypatch.setattr(batch, "start_fork_server", lambda context: events.append("server"))
    plan = batch.plan_job
    monkeypatch.setattr(batch, "plan_job", lambda options: events.append("plan") or plan(options))
    warm_up = batch.workers_warm_up(2, None)
    todo, fresh = pending(check_clips(read_lecture(lecture), str(out), warm_up), force=False)
    assert (len(todo), len(fresh), events) == (0, 3, [])  # every clip up to date
    for arguments in (("--jobs", "2"), ("--jobs", "2", "--dry-run", "--force")):
        result = invoke("batch", str(lecture), *arguments, "--out", str(out))
        assert result.exit_code == 0 and "server" not in events, result.output
    events.clear()
    (out / "line" / "diverge.json").unlink()
    check_clips(read_lecture(lecture), str(out), warm_up)
    assert events == ["server", "plan"]
    check_clips(read_lecture(lecture), str(out / "elsewhere"), warm_up)
    assert events == ["server", "plan"] + ["plan"] * 3  # started once
    for idle in (batch.workers_warm_up(1, None), batch.workers_warm_up(2, "local")):
        events.clear()
        check_clips(read_lecture(lecture), str(out / "elsewhere"), idle)
        assert events == ["plan"] * 3
