"""The words every picture shows: titles, η·L and regime, the divergence banner and the slice's note name the run
as gdcore ran it (checked against the run's own numbers, not against the captions' code)."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

from gdcore.datasets import synthetic
from gdcore.experiment import Experiment, RunRequest, prepare
from gdcore.slices import final_slice, optimum_slice, slice_through
from scenes.captions import (
    cell_title,
    divergence_text,
    figure_title,
    grid_title,
    held_note,
    held_values,
    mode_behaviour,
    rate_label,
    regime_text,
    run_title,
    stall_text,
    status_text,
)
from tests.scenes.conftest import experiment

SCENES = pathlib.Path(__file__).resolve().parents[2] / "scenes"


def test_the_banner_names_the_epoch_whose_update_blew_up() -> None:
    kept = experiment("plane", lr=0.8)  # its last state is still finite: epoch 11 is kept
    assert kept.trajectory.diverged_at == kept.trajectory.epochs_run == 11
    assert divergence_text(kept).startswith("diverged at epoch 11: η·L = 4.96 > 2\nthe error grows ×3.96")
    lost = experiment("plane", lr=1e300)  # the first update overflows: nothing after the start is kept
    assert lost.trajectory.epochs_run == 0 and lost.trajectory.diverged_at == 1
    assert divergence_text(lost).startswith("diverged at epoch 1: ")
    assert divergence_text(lost, "compact").startswith("diverged at epoch 1: ")


def test_the_banner_in_its_three_forms_says_the_same() -> None:
    run = experiment("plane", lr=0.8)
    eta_l, growth = run.rate.eta_lambda_max, run.rate.growth
    assert (eta_l, growth) == pytest.approx((4.96, 3.96), abs=0.005)
    why, per_step = f"η·L = {eta_l:.3g} > 2", f"×{growth:.3g} per step"
    assert divergence_text(run) == f"diverged at epoch 11: {why}\nthe error grows {per_step}"
    assert divergence_text(run, "compact") == f"diverged at epoch 11: η·L > 2 · error {per_step}"
    assert divergence_text(run, "narrow").split("\n") == ["diverged at epoch 11", why, f"error {per_step}"]


def test_titles_name_data_optimizer_rate_and_regime() -> None:
    run = experiment("plane", regime="good")
    lr, eta_l = run.trajectory.lr, run.rate.eta_lambda_max
    assert regime_text(run) == f"η·L = {eta_l:.3g} (good)"
    assert run_title(run) == f"plane · gd · lr {lr:g} · η·L = {eta_l:.3g} (good)"
    assert run_title(run, rule=True) == f"{run_title(run)} · {run.optimizer.describe()}"
    assert cell_title(run) == f"good · lr {lr:g} · η·L = {eta_l:.3g}"
    assert figure_title(run) == (f"plane  ·  gd  ·  lr {lr:g} (good, η·L = {eta_l:.2g})  ·  300 epochs, "
                                 f"final loss {run.trajectory.final_loss:.4g}")
    assert grid_title([run] * 4, regimes=True) == "plane · gd · four regimes of one problem"
    assert grid_title([run] * 3, regimes=False) == "plane · gd · 3 learning rates compared"
    assert grid_title([run], regimes=False) == "plane · gd · 1 learning rate compared"


def test_labels_follow_the_optimizers_own_rule() -> None:
    """Heavy ball at η·L = 3 converges (its limit is 2(1 + μ) = 3.8): not 'divergent'; Adam has no η·L regime."""
    momentum = experiment("plane", optimizer="momentum", lr=3.0 / experiment("plane").problem.lambda_max)
    assert momentum.trajectory.status != "diverged"
    assert "stable < 3.8" in run_title(momentum) and "divergent" not in run_title(momentum)
    adam = experiment("plane", optimizer="adam", lr=0.1)
    assert run_title(adam) == "plane · adam · lr 0.1 · no η·L regime (adam is adaptive)"
    assert cell_title(adam) == "adam · lr 0.1 · no η·L regime"
    assert grid_title([adam] * 4, regimes=True) == "plane · adam · at the four regime presets' rates (gd's η·L)"
    lesson = experiment("line-wide")  # unscaled x in [0, 10): κ ≈ 174, 200 epochs
    assert "(good, ill-conditioned)" in run_title(lesson)
    assert stall_text(lesson).startswith("the slowest direction needs ~") and "κ = 174" in stall_text(lesson)
    short_lab = experiment("plane", epochs=25)  # stopped early, but κ ≈ 29 is not to blame
    assert "ill-conditioned" not in run_title(short_lab) and stall_text(short_lab)


def test_status_and_rate_labels_follow_the_trajectory() -> None:
    diverged = experiment("plane", lr=0.8)
    assert status_text(diverged.trajectory) == f"diverged at epoch {diverged.trajectory.diverged_at}"
    assert rate_label(diverged).endswith(", diverged at epoch 11")
    converged = experiment("plane", regime="good", tolerance=1e-3)
    assert status_text(converged.trajectory) == f"converged at epoch {converged.trajectory.epochs_run}"
    assert status_text(experiment("plane", epochs=7).trajectory) == "7 epochs"


def test_the_slice_note_says_where_the_slice_it_is_given_holds() -> None:
    run = experiment("plane", regime="good")
    problem, trajectory = run.problem, run.trajectory
    at_optimum = optimum_slice(problem, (1, 2))
    b_star = problem.closed_form[0]
    assert held_note(run, at_optimum) == f"slice at the optimum: b = {b_star:.3g}"
    b_final = trajectory.final_weights[0]
    assert held_note(run, final_slice(problem, trajectory, (1, 2))) == (
        f"the slice holds b = {b_final:.3g} (its trained value); b moved during training, so the slice is an "
        "approximation of the loss the path saw")
    assert held_note(run, slice_through(problem, (1, 2), np.array([7.0, 0.0, 0.0]))) == "slice at b = 7"
    assert held_note(run, optimum_slice(problem, (0, 2))).startswith("slice at the optimum: w1 = ")
    line = experiment("line", regime="good")
    assert held_note(line, optimum_slice(line.problem, (0, 1))) == ""  # nothing held: no note


def test_a_diverged_slice_holds_the_last_finite_values_and_many_held_are_abbreviated() -> None:
    run = experiment("plane", lr=0.8)
    assert "(its last finite value)" in held_note(run, final_slice(run.problem, run.trajectory, (1, 2)))
    wide: Experiment = prepare(synthetic(n_samples=50, n_features=5, seed=1), RunRequest(regime="good", epochs=20))
    names = wide.dataset.param_names
    section = final_slice(wide.problem, wide.trajectory, (1, 2))
    assert held_values(names, section) == f"{names[0]}, {names[3]}, …, {names[5]}"
    assert held_note(wide, section).startswith(f"the slice holds {names[0]}, {names[3]}, …, {names[5]} at their "
                                               "trained values; they moved")
    two_held = prepare(synthetic(n_samples=50, n_features=3, seed=1), RunRequest(regime="good", epochs=20))
    note = held_note(two_held, final_slice(two_held.problem, two_held.trajectory, (1, 2)))
    assert "(their trained values); b and w3 moved during training" in note


def test_one_place_writes_eta_l() -> None:
    """Every 'η·L =' a picture shows is written by scenes/captions.py (the CLI's text report aside)."""
    writers = sorted(str(path.relative_to(SCENES)) for path in SCENES.rglob("*.py")
                     if re.search(r'f".*η·L = \{', path.read_text()))
    assert writers in (["captions.py"], ["captions.py", "cli.py"])


@pytest.mark.parametrize(("factor", "said"), [
    (0.9, "shrinks"), (-0.5, "flips, shrinks"), (-1.0, "flips, stays"), (-3.96, "flips, grows"), (1.2, "grows"),
    (1.0, "stays"), (None, ""),
])
def test_a_modes_bar_says_what_its_factor_does_each_step(factor: float | None, said: str) -> None:
    assert mode_behaviour(factor) == said
