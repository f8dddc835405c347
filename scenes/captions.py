"""Every caption and label a picture shows, for both engines and the still figures: η·L and the regime, run and
cell titles, the run's status, the divergence banner, and what a loss slice holds. Text only: no drawing here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from gdcore.experiment import Experiment
from gdcore.regimes import RateReport, Regime
from gdcore.reports import stability_report
from gdcore.runner import Trajectory
from gdcore.slices import HeldAt, Slice
from gdcore.stability import StabilityReport, approximate_count, best_constant_rate

BannerForm = Literal["wide", "compact", "narrow", "forecast"]
HELD_LISTED = 3  # a slice's note lists the held parameters' values up to this many, else names the first and last


# ── The rate: η·L and the regime, by the optimiser's own rule ────────────────────────────────────────────────


def stability(experiment: Experiment) -> StabilityReport:
    """The run's stability report: its optimiser's own regime rule (gdcore.stability), not plain GD's."""
    return stability_report(experiment)


def run_regime(experiment: Experiment) -> Regime | None:
    """The regime the pictures show and colour by; None for adaptive methods, which have no η·L regime."""
    return stability(experiment).regime


def eta_l_text(rate: RateReport | StabilityReport, digits: int = 3) -> str:
    """'η·L = 0.62': the one place η·L is written."""
    return f"η·L = {rate.eta_lambda_max:.{digits}g}"


def regime_word(experiment: Experiment) -> str:
    """'good', 'divergent → slow' (decay), 'good, ill-conditioned' (a stall the conditioning is to blame for),
    or 'no η·L regime' (adaptive)."""
    report = stability(experiment)
    if report.regime is None:
        return "no η·L regime"
    word = report.regime.value
    if report.final_regime is not None and report.final_regime is not report.regime:
        word = f"{word} → {report.final_regime.value}"
    return f"{word}, ill-conditioned" if report.ill_conditioned else word


def regime_text(experiment: Experiment) -> str:
    """'η·L = 0.62 (good)'; with the optimiser's limit when it is not 2 ('η·L = 3.7 (jumping, stable < 3.8)');
    'no η·L regime (adam is adaptive)'."""
    report = stability(experiment)
    if report.regime is None:
        return f"no η·L regime ({report.optimizer} is adaptive)"
    limit = "" if report.stable_limit in (None, 2.0) else f", stable < {report.stable_limit:.3g}"
    return f"{eta_l_text(report)} ({regime_word(experiment)}{limit})"


def stall_text(experiment: Experiment) -> str:
    """'the slowest direction needs ~2.2×10⁸ epochs (κ = 4.3×10⁷)' when the run stalls there; else ''."""
    report = stability(experiment)
    if not report.stalled or report.convergence_epochs is None:
        return ""
    return (f"the slowest direction needs ~{approximate_count(report.convergence_epochs)} epochs "
            f"(κ = {approximate_count(report.condition_number)})")


def rate_text(experiment: Experiment) -> str:
    """'lr 0.0081 (slow, η·L = 0.05)': a legend's short form, η·L to two digits."""
    report = stability(experiment)
    if report.regime is None:
        return f"lr {report.lr:g} ({report.optimizer}: no η·L regime)"
    return f"lr {report.lr:g} ({regime_word(experiment)}, {eta_l_text(report, 2)})"


# ── Titles ───────────────────────────────────────────────────────────────────────────────────────────────────


def run_title(experiment: Experiment, rule: bool = False) -> str:
    """'plane · gd · lr 0.1 · η·L = 0.62 (good)', with ' · w ← w − η∇L' (the optimiser's update) if `rule`."""
    trajectory = experiment.trajectory
    title = f"{experiment.dataset.name} · {trajectory.optimizer} · lr {trajectory.lr:g} · {regime_text(experiment)}"
    return f"{title} · {experiment.optimizer.describe()}" if rule else title


def cell_title(experiment: Experiment) -> str:
    """A grid cell's title: 'good · lr 0.1 · η·L = 0.62' ('adam · lr 0.1 · no η·L regime')."""
    report = stability(experiment)
    if report.regime is None:
        return f"{report.optimizer} · lr {report.lr:g} · no η·L regime"
    return f"{regime_word(experiment)} · lr {report.lr:g} · {eta_l_text(report)}"


def grid_title(experiments: Sequence[Experiment], regimes: bool) -> str:
    """'plane · gd · four regimes of one problem', or 'plane · gd · 3 learning rates compared'."""
    first = experiments[0]
    count = len(experiments)
    if regimes:
        # an optimiser without an η·L regime runs at the rates of gd's four presets: the title must not claim four
        what = ("four regimes of one problem" if run_regime(first) is not None
                else "at the four regime presets' rates (gd's η·L)")
    else:
        what = f"{count} learning rate{'s' if count > 1 else ''} compared"
    return f"{first.dataset.name} · {first.trajectory.optimizer} · {what}"


def status_text(trajectory: Trajectory) -> str:
    """'diverged at epoch 11', 'converged at epoch 212' or '300 epochs'."""
    if trajectory.diverged:
        return f"diverged at epoch {trajectory.diverged_epoch}"
    if trajectory.status == "converged":
        return f"converged at epoch {trajectory.epochs_run}"
    return f"{trajectory.epochs_run} epochs"


def figure_title(experiment: Experiment) -> str:
    """A still figure's title: 'plane  ·  gd  ·  lr 0.1 (good, η·L = 0.62)  ·  300 epochs, final loss 0.2364'."""
    trajectory = experiment.trajectory
    ending = status_text(trajectory)
    if not trajectory.diverged:
        ending += f", final loss {trajectory.final_loss:.4g}"
    return f"{experiment.dataset.name}  ·  {trajectory.optimizer}  ·  {rate_text(experiment)}  ·  {ending}"


def rate_label(experiment: Experiment) -> str:
    """'lr 0.0081 (slow, η·L = 0.05)', with ', diverged at epoch 11' when it did."""
    trajectory = experiment.trajectory
    label = rate_text(experiment)
    return label + (f", {status_text(trajectory)}" if trajectory.diverged else "")


# ── The divergence banner ────────────────────────────────────────────────────────────────────────────────────


def divergence_text(experiment: Experiment, form: BannerForm = "wide") -> str:
    """Why the run diverged, at the epoch it did:
    wide     'diverged at epoch 11: η·L = 4.96 > 2' over 'the error grows ×3.96 per step';
    compact  on one line (a grid cell, whose title gives η·L): 'diverged at epoch 11: η·L > 2 · error ×3.96 per step';
    narrow   three short lines (a side column): 'diverged at epoch 11', 'η·L = 4.96 > 2', 'error ×3.96 per step';
    forecast before it stops, on one quiet line: 'η·L = 4.96 > 2: expect the error to grow ×3.96 per step'.
    """
    report = stability(experiment)
    when = status_text(experiment.trajectory)
    if report.regime is None or report.growth is None:  # an adaptive method: no η·L rule explains it
        why, growth = f"{report.optimizer} has no η·L rule", "the loss passed its bound"
        if form == "forecast":
            return f"{why}: watch the loss"
        return f"{when}: {why}" + ("\n" if form != "compact" else " · ") + growth
    limit = report.stable_limit if report.stable_limit is not None else 2.0
    why, growth = f"{eta_l_text(report)} > {limit:.3g}", f"×{report.growth:.3g} per step"
    if form == "forecast":
        return f"{why}: expect the error to grow {growth}"
    if form == "compact":  # under a cell title that gives η·L: the limit it passed, not its value again
        return f"{when}: η·L > {limit:.3g} · error {growth}"
    if form == "narrow":
        return f"{when}\n{why}\nerror {growth}"
    return f"{when}: {why}\nthe error grows {growth}"


# ── What a slice holds ───────────────────────────────────────────────────────────────────────────────────────


def held_values(names: Sequence[str], section: Slice) -> str:
    """'b = 0.957' (the held parameters and their values, up to HELD_LISTED), else 'b, w3, …, w9'."""
    held = section.held_axes
    if len(held) > HELD_LISTED:
        return f"{names[held[0]]}, {names[held[1]]}, …, {names[held[-1]]}"
    return ", ".join(f"{names[k]} = {section.held[k]:.3g}" for k in held)


def held_note(experiment: Experiment, section: Slice) -> str:
    """What the slice drawn holds fixed, and where (empty when it holds nothing): at the optimum, 'slice at the
    optimum: b = 0.957'; at the run's final weights, also that the slice then only approximates the loss the path
    saw when the held parameters moved during training."""
    names, held = experiment.dataset.param_names, section.held_axes
    if not held:
        return ""
    values = held_values(names, section)
    if section.held_at is HeldAt.OPTIMUM:
        return f"slice at the optimum: {values}"
    if section.held_at is HeldAt.GIVEN:
        return f"slice at {values}"
    trajectory = experiment.trajectory
    if np.all(np.ptp(trajectory.weights[:, list(held)], axis=0) == 0):
        return "the slice holds the other parameters where they stayed during training: it is the loss the path saw"
    # A diverged run has no trained value: the slice holds the last finite weights, and says so.
    value = "last finite value" if trajectory.diverged else "trained value"
    if len(held) == 1:
        what, who = f"{values} (its {value})", names[held[0]]
    elif len(held) <= HELD_LISTED:
        what = f"{values} (their {value}s)"
        who = ", ".join(names[k] for k in held[:-1]) + f" and {names[held[-1]]}"
    else:
        what, who = f"{values} at their {value}s", "they"
    return (f"the slice holds {what}; {who} moved during training, so the slice is an approximation "
            "of the loss the path saw")


# ── The eigen-modes ──────────────────────────────────────────────────────────────────────────────────────────


def mode_label(eigenvalue: float, factor: float | None, short: bool = False) -> str:
    """A bar's label: 'λ = 3.1' over '1 − ηλ = −0.92' for gd (short: over '×−0.92', the factor alone, for a
    narrow panel whose caption names it); 'λ = 3.1' where there is no factor."""
    label = f"λ = {eigenvalue:.3g}"
    if factor is None:
        return label
    return f"{label}\n{'×' if short else '1 − ηλ = '}{factor:.3g}"


def mode_behaviour(factor: float | None) -> str:
    """What gd does to the error along a direction each step, from its factor 1 − ηλ: 'shrinks', 'flips, shrinks',
    'flips, grows', 'grows', 'stays' or 'flips, stays' (|1 − ηλ| = 1); '' without a factor (other optimisers)."""
    if factor is None:
        return ""
    size = "shrinks" if abs(factor) < 1 else "grows" if abs(factor) > 1 else "stays"
    return f"flips, {size}" if factor < 0 else size


def theory_note() -> str:
    """The key to the faint dashed line a Manim scene draws beside gd's run (its exact iterates)."""
    return "dashed: gd's exact path\nw* + (I − ηH)ᵏ(w₀ − w*)"


def modes_caption(experiment: Experiment) -> str:
    """What the bars of the modes scene show, by the optimiser's rule."""
    optimizer = experiment.trajectory.optimizer
    if optimizer == "gd":
        return "error along each eigen-direction: ×(1 − ηλ) every step, inside ±|1 − ηλ|ᵏ·|start|"
    return f"error along each eigen-direction ({optimizer}: no fixed factor per step, as it ran)"


def eigen_axis_label(index: int, eigenvalue: float, role: str) -> str:
    """'z₁ along λ = 0.12 (slowest)': an axis of the contour turned to its principal axes."""
    subscript = str(index + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return f"z{subscript} along λ = {eigenvalue:.3g} ({role})"


# ── A race of optimizers ─────────────────────────────────────────────────────────────────────────────────────


def race_label(experiment: Experiment) -> str:
    """A racer's legend entry: 'gd · lr 0.1 (good)', 'adam · lr 0.21', with ', diverged at epoch 11' when it did."""
    report, trajectory = stability(experiment), experiment.trajectory
    label = f"{trajectory.optimizer} · lr {trajectory.lr:.3g}"
    if report.regime is not None:
        label += f" ({regime_word(experiment)})"
    return label + (f", {status_text(trajectory)}" if trajectory.diverged else "")


def race_title(experiments: Sequence[Experiment]) -> str:
    """'plane · gd, momentum and adam from one start'."""
    names = [run.trajectory.optimizer for run in experiments]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{experiments[0].dataset.name} · {listed} from one start"


# ── Axes and the scaling scene ───────────────────────────────────────────────────────────────────────────────


def param_label(experiment: Experiment, index: int) -> str:
    """A parameter's axis label: 'w1', or 'w1 (standardized)' when the features were z-scored (a weight per
    standard deviation of its feature, not per raw unit; the bias stays in the target's units)."""
    name = experiment.dataset.param_names[index]
    return f"{name} (standardized)" if experiment.dataset.standardized and index > 0 else name


def scaling_text(experiment: Experiment) -> str:
    """A scaling cell's header: 'raw · κ = 29 · 2/L = 0.32' over 'best rate 2/(λ_max + λ_min) = 0.2 · ~150 epochs
    to 1 %'."""
    best = best_constant_rate(experiment.problem.eigenvalues)
    what = "standardized" if experiment.dataset.standardized else "raw"
    return (f"{what} · κ = {approximate_count(best.condition_number)} · 2/L = {2 / experiment.problem.lambda_max:.3g}"
            f"\nbest rate 2/(λmax + λmin) = {best.lr:.3g} · needs {epoch_count(best.convergence_epochs)} to 1 %")


def scaling_label(experiment: Experiment) -> str:
    """A scaling run's loss curve: 'raw · lr 0.312', 'standardized · lr 0.5'."""
    what = "standardized" if experiment.dataset.standardized else "raw"
    return f"{what} · lr {experiment.trajectory.lr:.3g}"


def epoch_count(epochs: float | None) -> str:
    """'~150 epochs'; '1 epoch' (κ = 1: the best rate lands on the optimum in one step, exactly)."""
    return "1 epoch" if epochs == 1 else f"~{approximate_count(epochs)} epochs"


def scaling_title(experiment: Experiment) -> str:
    """'plane · gd · the same data raw and standardized, each at its best constant rate'."""
    return f"{experiment.dataset.name} · {experiment.trajectory.optimizer} · raw against standardized features"


def sweep_title(experiments: Sequence[Experiment]) -> str:
    """'plane · gd · 40 rates from 0.00322 to 0.484, 300 epochs each'."""
    first, rates = experiments[0], [run.trajectory.lr for run in experiments]
    return (f"{first.dataset.name} · {first.trajectory.optimizer} · {len(rates)} rates from {min(rates):.3g} "
            f"to {max(rates):.3g}, {first.epochs} epochs each")
