"""What `gdviz train` and `gdviz regimes` report: the numbers as one JSON-ready dict, and the same as text."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from gdcore.datasets import Dataset
from gdcore.experiment import Experiment, check_rate
from gdcore.problem import Problem
from gdcore.regimes import PRESET_REGIMES, classify, preset_rates
from gdcore.stability import StabilityReport, stability_of
from gdcore.sweep import Sweep


def train_report(experiment: Experiment) -> dict[str, Any]:
    """The keys `gdviz train --json` promises."""
    problem, trajectory, stability = experiment.problem, experiment.trajectory, stability_report(experiment)
    return {
        "dataset": experiment.dataset.name,
        "n_samples": problem.n_samples,
        "params": list(experiment.dataset.param_names),
        "lr": trajectory.lr,
        "regime": None if stability.regime is None else stability.regime.value,
        "regime_label": stability.label,
        "regime_reason": stability.reason,
        "optimizer": trajectory.optimizer,
        "status": trajectory.status,
        "epochs_run": trajectory.epochs_run,
        "diverged_at": trajectory.diverged_at,
        "cost": problem.cost,
        "init": experiment.init.tolist(),
        "initial_loss": float(trajectory.loss[0]),
        "final_loss": trajectory.final_loss,
        "weights": trajectory.final_weights.tolist(),
        "closed_form": problem.closed_form.tolist(),
        "closed_form_loss": problem.closed_form_loss,
        "lambda_max": problem.lambda_max,
        "lambda_min": problem.lambda_min,
        "condition_number": json_number(problem.condition_number),
        "lr_stable_max": json_number(stability.lr_stable_max),
        "eta_lambda_max": json_number(experiment.rate.eta_lambda_max),
        "growth": json_number(stability.growth),
        "convergence_epochs": stability.convergence_epochs,
        "ill_conditioned": stability.ill_conditioned,
        "theory_max_deviation": json_number(experiment.theory_max_deviation),
        "modes": [{"eigenvalue": mode.eigenvalue, "factor": json_number(mode.factor), "initial": mode.initial,
                   "final": json_number(mode.final)} for mode in experiment.modes.directions],
        "true_params": None if experiment.dataset.true_params is None else list(experiment.dataset.true_params),
        "standardized": experiment.dataset.standardized,
        "weights_original_units": (experiment.weights_in_original_units[-1].tolist()
                                   if experiment.dataset.standardized else None),
    }


def stability_report(experiment: Experiment) -> StabilityReport:
    """The optimiser's own stability report of the run (prepare() makes it; computed here otherwise)."""
    return experiment.stability or stability_of(experiment.problem, experiment.optimizer,
                                                experiment.trajectory.epochs_run)


def json_number(value: float | None) -> float | None:
    """JSON has no inf or NaN: an infinite condition number (or η·L of a rate near the largest float) is null."""
    return None if value is None or not np.isfinite(value) else float(value)


def to_json(report: dict[str, Any]) -> str:
    """One line of strict JSON: a NaN or inf left in the report is a bug, not 'NaN' in the output."""
    return json.dumps(report, allow_nan=False)


def train_summary(experiment: Experiment) -> str:
    """Initial and final loss, each parameter beside the closed form and the truth, the regime."""
    dataset, problem, trajectory = experiment.dataset, experiment.problem, experiment.trajectory
    stop = {"converged": f"converged after {trajectory.epochs_run} epochs",
            "max_epochs": f"ran all {trajectory.epochs_run} epochs",
            "diverged": f"DIVERGED at epoch {trajectory.diverged_at}"}[trajectory.status]
    lines = [
        f"dataset     {dataset.name}: {dataset.n_samples} rows, {dataset.n_features} feature(s)"
        + (" (standardized)" if dataset.standardized else ""),
        f"            {dataset.source}",
        f"optimizer   {trajectory.optimizer}, lr {trajectory.lr:g}, cost {problem.cost}; {stop}",
        "init        " + ", ".join(f"{name} = {value:g}"
                                  for name, value in zip(dataset.param_names, experiment.init, strict=True)),
        regime_line(experiment),
        f"loss        initial {trajectory.loss[0]:.6g}, final {trajectory.final_loss:.6g}, "
        f"closed form {problem.closed_form_loss:.6g}",
        "",
        parameter_table(dataset, trajectory.final_weights, problem.closed_form),
    ]
    stable_max = stability_report(experiment).lr_stable_max
    if trajectory.diverged:
        below = "" if stable_max is None else f"; stable below {stable_max:.3g}"
        lines += ["", f"The loss exploded: reduce the learning rate (try a factor of 10{below})."]
    return "\n".join(lines)


def regime_line(experiment: Experiment) -> str:
    """'regime      good: η·L = 0.62 (stable below 2), error × 0.38 per step', per the optimiser's own rule."""
    stability = stability_report(experiment)
    if stability.regime is None:
        return f"regime      none: {stability.reason}"
    limit = f"{stability.stable_limit:.3g}" if stability.stable_limit is not None else "?"
    growth = "" if stability.growth is None else f", error × {stability.growth:.3g} per step"
    return f"regime      {stability.label}: η·L = {stability.eta_lambda_max:.3g} (stable below {limit}){growth}"


def parameter_table(dataset: Dataset, learned: np.ndarray, closed_form: np.ndarray) -> str:
    truth = dataset.true_params
    rows = [f"{'param':<8}{'learned':>14}{'closed form':>14}{'true':>10}"]
    for index, name in enumerate(dataset.param_names):
        true_text = "" if truth is None else f"{truth[index]:g}"
        rows.append(f"{name:<8}{learned[index]:>14.6g}{closed_form[index]:>14.6g}{true_text:>10}")
    return "\n".join(rows)


def regimes_report(dataset: Dataset, problem: Problem, rates: tuple[float, ...] = ()) -> dict[str, Any]:
    """The keys `gdviz regimes --json` promises: the spectrum, the thresholds, a preset rate per regime and the
    regime of each rate given."""
    classified = [classify(check_rate(lr), problem.eigenvalues) for lr in rates]
    return {
        "lambda_max": problem.lambda_max,
        "lambda_min": problem.lambda_min,
        "condition_number": json_number(problem.condition_number),
        "lr_stable_max": 2.0 / problem.lambda_max,
        "eigenvalues": problem.eigenvalues.tolist(),
        "presets": {regime.value: lr for regime, lr in preset_rates(problem.lambda_max).items()},
        "rates": [{"lr": r.lr, "regime": r.regime.value, "eta_lambda_max": json_number(r.eta_lambda_max),
                   "growth": json_number(r.growth)} for r in classified],
        "dataset": dataset.name,
        "standardized": dataset.standardized,
    }


def _shown(value: float | None) -> str:
    """A report number in three significant digits; null (an overflowed product) as inf."""
    return "inf" if value is None else f"{value:.3g}"


def regimes_table(dataset: Dataset, problem: Problem, report: dict[str, Any]) -> str:
    lam = problem.lambda_max
    condition = report["condition_number"]
    lines = [
        f"dataset {dataset.name} ({dataset.n_samples} rows"
        f"{', features standardized' if dataset.standardized else ''}), cost {problem.cost}",
        f"Hessian eigenvalues  {', '.join(f'{value:.4g}' for value in report['eigenvalues'])}",
        f"L = λ_max = {lam:.4g}, λ_min = {problem.lambda_min:.4g}, condition number "
        + ("inf (singular)" if condition is None else f"{condition:.4g}"),
        f"stable for lr < 2/L = {2.0 / lam:.4g}",
        "",
        f"{'regime':<11}{'η·L':<15}{'lr range':<26}{'preset lr':>10}",
    ]
    bounds = {"slow": (0.0, 0.2), "good": (0.2, 1.0), "jumping": (1.0, 2.0), "divergent": (2.0, float("inf"))}
    for regime in PRESET_REGIMES:
        low, high = bounds[regime.value]
        span = f"{low / lam:.3g} – {high / lam:.3g}" if np.isfinite(high) else f">= {low / lam:.3g}"
        eta_span = f"{low:g} – {high:g}" if np.isfinite(high) else f">= {low:g}"
        lines.append(f"{regime.value:<11}{eta_span:<15}{span:<26}{report['presets'][regime.value]:>10g}")
    if report["rates"]:
        lines += ["", f"{'lr':>10}  {'regime':<10}{'η·L':>8}{'growth/step':>13}"]
        lines += [f"{r['lr']:>10g}  {r['regime']:<10}{_shown(r['eta_lambda_max']):>8}{_shown(r['growth']):>13}"
                  for r in report["rates"]]
    return "\n".join(lines)


def sweep_report(result: Sweep) -> dict[str, Any]:
    """`gdviz sweep --json`: the spectrum's largest stable rate, the smallest observed to diverge, every rate's row."""
    return {
        "optimizer": result.optimizer, "epochs": result.epochs,
        "lr_stable_max": json_number(result.lr_stable_max),
        "observed_threshold": json_number(result.observed_threshold),
        "rates": [{"lr": row.lr, "regime": None if row.regime is None else row.regime.value, "status": row.status,
                   "final_loss": json_number(row.final_loss), "epochs_run": row.epochs_run,
                   "diverged_at": row.diverged_at} for row in result.rows],
    }


def sweep_table(result: Sweep) -> str:
    """One line per rate (regime, status, final loss, epochs), then 2/L and the observed threshold."""
    lines = [f"{'lr':>11}  {'regime':<10} {'status':<10} {'final loss':>12}  epochs"]
    for row in result.rows:
        regime = "—" if row.regime is None else row.regime.value
        lines.append(f"{row.lr:>11.4g}  {regime:<10} {row.status:<10} {row.final_loss:>12.5g}  {row.epochs_run}")
    stable = "none (adaptive)" if result.lr_stable_max is None else f"{result.lr_stable_max:.4g}"
    seen = "none diverged" if result.observed_threshold is None else f"{result.observed_threshold:.4g}"
    lines.append(f"largest stable rate (spectrum): {stable}; smallest rate observed to diverge in "
                 f"{result.epochs} epochs: {seen}")
    return "\n".join(lines)
