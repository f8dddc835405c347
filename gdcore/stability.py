"""Honest stability per optimiser: regime, growth per step, and how many epochs the slowest direction needs.

On the quadratic loss every full-batch optimiser below is linear in the error e = w − w*. Along the Hessian's
eigenvector i (eigenvalue λᵢ) the error evolves on its own, by a 1×1 or 2×2 iteration written with its
trace T and determinant D, whose roots z solve z² − Tz + D = 0 (a = ηλᵢ):

    gd, sgd (mean path), decay   e ← (1 − a) e                                     T = 1 − a,            D = 0
    heavy ball (torch)           e_{k+1} = (1 + μ − a') e_k − μ e_{k−1}, a' = (1−τ)a  T = 1 + μ − a',       D = μ
    Nesterov (torch)             e_{k+1} = (1 + μ)(1 − a) e_k − μ(1 − a) e_{k−1}     T = (1 + μ)(1 − a),   D = μ(1 − a)

Each converges iff both roots lie inside the unit circle; its growth per step is the spectral radius max|z|.
That happens for 0 < ηλᵢ < A, with the stability limit A = 2 (gd), 2(1 + μ)/(1 − τ) (heavy ball), and
2(1 + μ)/(1 + 2μ) (Nesterov: Jury's test |D| < 1, |T| < 1 + D on its own iteration). Adagrad, RMSprop and Adam
rescale every coordinate by its gradient history: not linear, no η·L regime.

Regimes, one rule for every linear method, with f = η·L / A (the rate as a fraction of the largest stable one):
    divergent  f > 1 (growth > 1)             marginal  f = 1 (growth = 1: it oscillates forever)
    jumping    f < 1 and T(L) < 0: the stiffest direction's dominant root is negative real or has a negative real
               part, so its error changes sign (about) every step, shrinking
    slow       not jumping, and the effective η·L < 0.2     good      otherwise
where the effective η·L is η·L for gd and η·L/(1 − μ) for momentum and Nesterov: on a slow direction the heavy ball
moves like gd at the rate η/(1 − μ) (its velocity sums a geometric series), so μ = 0.9 at η·L = 0.09 is good, not
slow.
For gd these are exactly the η·L thresholds of `gdcore.regimes` (A = 2: slow η·L < 0.2, jumping η·L > 1). For heavy
ball, jumping is η·L > 1 + μ: the second half of its stable range, as for gd. Momentum with complex roots spirals
(its error swings slowly around the optimum, over several steps): it counts as slow or good, not jumping.

Epochs to 1 %: ⌈ln 0.01 / ln ρ⌉, ρ the worst direction's spectral radius: exact for gd's worst start; for the 2×2
iterations an estimate that leaves out the few steps before the dominant root takes over. Decay: its factors
multiplied step by step. sgd: its mean path (gd per update), in updates, over the updates an epoch makes; its
noise is left out. A stable run is stalled when that count exceeds the epochs it runs, and ill-conditioned when
even gd at its best constant rate 2/(λ_max + λ_min) (growth (κ − 1)/(κ + 1)) would need more than those epochs.

Directions with λᵢ ≤ 1e-10·L (a constant or duplicated feature) are left out of growth, stability and the epoch
counts: the loss does not see them and no optimiser moves the error along them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdcore.optimizers import Optimizer
from gdcore.problem import Problem
from gdcore.regimes import MARGINAL_TOLERANCE, SLOW_BELOW, STABLE_BELOW, Regime, regime_of
from gdcore.runner import DIVERGENCE_FACTOR

ADAPTIVE: tuple[str, ...] = ("adagrad", "rmsprop", "adam")
# "Converged" for the epoch counts: the error is down to this fraction of its start.
ERROR_FRACTION = 0.01
# κ from which a stall is blamed on the conditioning (the lesson's unscaled x in [0, 10): κ ≈ 174; the lab's plane,
# whose 25-epoch run merely stops early, κ ≈ 29)
ILL_CONDITIONED_KAPPA = 100.0
# Relative size below which an eigenvalue counts as zero (as Problem.is_singular does).
_NULL_RTOL = 1e-10
# Steps of a decaying rate summed exactly (at most; at least a tenth of it) before the rest is estimated by an
# integral, and how many steps are summed at once (memory: _CHUNK × p floats).
_DECAY_EXACT_STEPS = 1_000_000
_CHUNK = 16_384


@dataclass(frozen=True)
class StabilityReport:
    """What the spectrum says about one optimiser at one rate on one problem, for the epochs it runs.

    regime: None for the adaptive methods (see `reason`). For decay, the regime at its first rate; `final_regime`
    is the one at its last rate (the same as `regime` for every other optimiser).
    growth: the error's worst factor per step, the spectral radius of the linear iteration (decay: at its last
    rate); None for the adaptive methods.
    convergence_epochs: epochs for the worst direction's error to fall to 1 % of its start; None where no formula
    applies (adaptive, not stable).
    stalled: stable, but convergence_epochs > epochs. ill_conditioned: stalled, and even plain GD at its best
    constant rate 2/(λ_max + λ_min) would need more than `epochs`: the conditioning is to blame, not the rate.
    """

    optimizer: str
    lr: float
    regime: Regime | None
    final_regime: Regime | None
    reason: str | None  # why there is no regime; None when there is one
    eta_lambda_max: float  # η·L at the first rate
    lambda_max: float  # L, the Hessian's largest eigenvalue
    stable_limit: float | None  # A: the largest stable η·L (None: adaptive)
    growth: float | None
    stable: bool | None  # None: the spectrum cannot tell (adaptive)
    condition_number: float  # κ = λ_max/λ_min (inf when singular)
    convergence_epochs: int | None
    epochs: int
    stalled: bool
    ill_conditioned: bool

    @property
    def lr_stable_max(self) -> float | None:
        """The largest stable first rate, A / L; None when there is no formula."""
        return None if self.stable_limit is None else self.stable_limit / self.lambda_max

    @property
    def label(self) -> str:
        """One line for titles: 'good', 'divergent → good' (decay), 'good, but ill-conditioned: ...', or
        'no η·L regime (adaptive method)' (`reason` says more)."""
        if self.regime is None:
            return "no η·L regime (adaptive method)"
        text = self.regime.value
        if self.final_regime is not None and self.final_regime != self.regime:
            text = f"{text} → {self.final_regime.value}"
        needs = f"the slowest direction needs ~{approximate_count(self.convergence_epochs)} epochs"
        if self.ill_conditioned:
            return f"{text}, but ill-conditioned: {needs} (κ = {approximate_count(self.condition_number)})"
        if self.stalled:
            return f"{text}, but {needs}"
        return text


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def approximate_count(value: float | None) -> str:
    """A count for a title: 7,957 below a million, else two digits and a power of ten (2.2×10⁸); '∞' if infinite."""
    if value is None or not math.isfinite(value):
        return "∞"
    if abs(value) < 1e6:
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.3g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10.0**exponent, 1)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}×10{str(exponent).translate(_SUPERSCRIPTS)}"


@dataclass(frozen=True)
class BestRate:
    """Plain GD's best constant rate 2/(λ_max + λ_min): every direction contracts by at most (κ − 1)/(κ + 1)."""

    lr: float
    growth: float  # (κ − 1)/(κ + 1)
    convergence_epochs: int  # epochs to bring the error to 1 % of its start at that rate
    condition_number: float  # κ over the directions the loss sees


# ---------------------------------------------------------------------------------------------------------
# Spectra and per-mode iterations.


def _positive(eigenvalues: np.ndarray) -> np.ndarray:
    """The eigenvalues the loss sees (λ > 1e-10·L), ascending."""
    values = np.sort(np.asarray(eigenvalues, dtype=float))
    return values[values > _NULL_RTOL * values[-1]]


def condition_number(eigenvalues: np.ndarray) -> float:
    """κ = λ_max/λ_min; inf when the smallest is (relatively) zero."""
    values = np.sort(np.asarray(eigenvalues, dtype=float))
    return float("inf") if values[0] <= _NULL_RTOL * values[-1] else float(values[-1] / values[0])


def _momentum_of(optimizer: Optimizer) -> float:
    return float(getattr(optimizer, "momentum", 0.0))


def _effective_eta(optimizer: Optimizer, lr: float) -> float:
    """The rate multiplying the gradient in the linear iteration: heavy ball with dampening τ scales it by 1 − τ."""
    return lr * (1.0 - float(getattr(optimizer, "dampening", 0.0)))


def _iteration(optimizer: Optimizer, lr: float,
               eigenvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T, D and p(1) = 1 − T + D of each direction's iteration; p(1) = a' (= ηλ, times 1 − τ for heavy ball),
    passed exactly so that a root near 1 keeps its accuracy."""
    mu = _momentum_of(optimizer)
    with np.errstate(over="ignore", invalid="ignore"):  # a rate near the largest float: inf, still 'divergent'
        a = _effective_eta(optimizer, lr) * np.asarray(eigenvalues, dtype=float)
        if optimizer.name == "momentum":
            return 1.0 + mu - a, np.full_like(a, mu), a
        if optimizer.name == "nesterov":
            return (1.0 + mu) * (1.0 - a), mu * (1.0 - a), a
        return 1.0 - a, np.zeros_like(a), a


def iteration(optimizer: Optimizer, lr: float, eigenvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trace T and determinant D of each eigen-direction's iteration, arrays of shape (p,) (see the module doc)."""
    trace, det, _ = _iteration(optimizer, lr, eigenvalues)
    return trace, det


def spectral_radius(trace: np.ndarray, det: np.ndarray) -> np.ndarray:
    """max|z| over the roots of z² − Tz + D = 0, elementwise: (|T| + √(T² − 4D))/2 when real, √D when complex."""
    with np.errstate(over="ignore", invalid="ignore"):
        disc = trace * trace - 4.0 * det
        real = (np.abs(trace) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
        return np.where(disc >= 0, real, np.sqrt(np.abs(det)))


def log_spectral_radius(trace: np.ndarray, det: np.ndarray, at_one: np.ndarray) -> np.ndarray:
    """ln max|z| elementwise, accurate when the dominant root z is just below 1 (a tiny rate times a tiny λ):
    there 1 − z = 2p(1)/(2 − T + √(T² − 4D)) with p(1) = 1 − T + D given exactly, and ln z = log1p(−(1 − z))."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        disc = trace * trace - 4.0 * det
        root = np.sqrt(np.maximum(disc, 0.0))
        gap = 2.0 * at_one / (2.0 - trace + root)
        near_one = (disc >= 0) & (trace > 0) & (gap > 0) & (gap < 1)
        real = np.where(near_one, np.log1p(-np.where(near_one, gap, 0.0)), np.log((np.abs(trace) + root) / 2.0))
        return np.where(disc >= 0, real, 0.5 * np.log(np.abs(det)))


def stable_limit(optimizer: Optimizer) -> float | None:
    """A: the iteration converges for 0 < η·λᵢ < A in every direction; None for the adaptive methods."""
    if optimizer.name in ADAPTIVE:
        return None
    mu = _momentum_of(optimizer)
    if optimizer.name == "momentum":
        kept = 1.0 - float(getattr(optimizer, "dampening", 0.0))
        return math.inf if kept == 0 else 2.0 * (1.0 + mu) / kept
    if optimizer.name == "nesterov":
        return 2.0 * (1.0 + mu) / (1.0 + 2.0 * mu)
    return STABLE_BELOW


def epochs_to_fraction(growth: float, fraction: float = ERROR_FRACTION) -> int | None:
    """Steps k for growthᵏ ≤ fraction: ⌈ln fraction / ln growth⌉; None when growth ≥ 1 (it never gets there)."""
    if not growth < 1.0:
        return None
    return _steps_from_log(math.log(growth) if growth > 0 else -math.inf, fraction)


def _steps_from_log(log_growth: float, fraction: float = ERROR_FRACTION) -> int | None:
    """⌈ln fraction / ln growth⌉ from ln growth; None when ln growth ≥ 0 or the count is not finite."""
    if not log_growth < 0.0:
        return None
    steps = math.log(fraction) / log_growth
    return max(1, math.ceil(steps - 1e-9)) if math.isfinite(steps) else None


def best_constant_rate(eigenvalues: np.ndarray) -> BestRate:
    """2/(λ_max + λ_min) over the directions the loss sees, its growth (κ − 1)/(κ + 1) and the epochs it needs."""
    values = _positive(eigenvalues)
    low, high = float(values[0]), float(values[-1])
    kappa = high / low
    growth = (kappa - 1.0) / (kappa + 1.0)
    # ln((κ − 1)/(κ + 1)), accurate for a huge κ; κ = 1 (a round bowl): one step lands on the optimum
    epochs = 1 if 2.0 / (kappa + 1.0) >= 1.0 else _steps_from_log(math.log1p(-2.0 / (kappa + 1.0)))
    assert epochs is not None  # growth < 1 always
    return BestRate(lr=2.0 / (high + low), growth=growth, convergence_epochs=epochs, condition_number=kappa)


# ---------------------------------------------------------------------------------------------------------
# The report.


def _regime(eta_l: float, limit: float, stiffest_trace: float, name: str, momentum: float = 0.0) -> Regime:
    """The module doc's rule for η·L against the limit A; for gd, sgd and decay exactly `regime_of(η·L)`."""
    if name not in ("momentum", "nesterov"):
        return regime_of(eta_l)
    fraction = eta_l / limit
    if abs(fraction - 1.0) <= MARGINAL_TOLERANCE / STABLE_BELOW:
        return Regime.MARGINAL
    if fraction > 1.0:
        return Regime.DIVERGENT
    if stiffest_trace < 0:
        return Regime.JUMPING
    effective = eta_l / (1.0 - momentum) if momentum < 1.0 else math.inf  # gd's η·L of the same long-run pace
    return Regime.SLOW if effective < SLOW_BELOW else Regime.GOOD


def _updates_per_epoch(optimizer: Optimizer, n_samples: int | None) -> int:
    """Full batch: 1. sgd: ⌈n/B⌉ mini-batches (1 when n is not known)."""
    if optimizer.batch_size is None or n_samples is None:
        return 1
    return math.ceil(n_samples / optimizer.batch_size)


def _epochs_needed(log_growth: float, updates_per_epoch: int) -> int | None:
    """Epochs for the worst direction's error to reach 1 %, from ln ρ per update."""
    steps = _steps_from_log(log_growth)
    return None if steps is None else math.ceil(steps / updates_per_epoch)


def _adaptive_report(optimizer: Optimizer, eigenvalues: np.ndarray, epochs: int) -> StabilityReport:
    reason = (f"no η·L regime for adaptive methods: {optimizer.name} rescales each coordinate's step by its own "
              "gradient history")
    return StabilityReport(
        optimizer=optimizer.name, lr=float(optimizer.lr), regime=None, final_regime=None, reason=reason,
        eta_lambda_max=float(optimizer.lr) * float(np.max(eigenvalues)), lambda_max=float(np.max(eigenvalues)),
        stable_limit=None, growth=None, stable=None, condition_number=condition_number(eigenvalues),
        convergence_epochs=None, epochs=epochs, stalled=False, ill_conditioned=False,
    )


def stability(optimizer: Optimizer, eigenvalues: np.ndarray, epochs: int,
              n_samples: int | None = None) -> StabilityReport:
    """The report for `optimizer` (its name, rate and hyperparameters) on a Hessian with these eigenvalues (any
    order, shape (p,)), run for `epochs` epochs. n_samples: only for sgd, to count its mini-batch updates per epoch
    (sgd is judged by its mean path, which is gd's per update; its noise is left out)."""
    if optimizer.name in ADAPTIVE:
        return _adaptive_report(optimizer, eigenvalues, epochs)
    values = _positive(eigenvalues)
    lr = float(optimizer.lr)
    limit = stable_limit(optimizer)
    assert limit is not None
    eta_l = lr * float(values[-1])
    last_lr = optimizer.rate(max(epochs, 1) * _updates_per_epoch(optimizer, n_samples) - 1)
    first_trace, _ = iteration(optimizer, lr, values[-1:])
    momentum = float(getattr(optimizer, "momentum", 0.0) or 0.0)
    regime = _regime(eta_l, limit, float(first_trace[0]), optimizer.name, momentum)
    last_trace, last_det, last_at_one = _iteration(optimizer, last_lr, values)
    final_regime = _regime(last_lr * float(values[-1]), limit, float(last_trace[-1]), optimizer.name, momentum)
    growth = float(np.max(spectral_radius(last_trace, last_det)))
    log_growth = float(np.max(log_spectral_radius(last_trace, last_det, last_at_one)))
    if optimizer.name == "decay":
        stable, needed = _decay_outcome(lr, values, log_growth)
    else:
        stable = log_growth < 0.0 and regime not in (Regime.MARGINAL, Regime.DIVERGENT)
        needed = _epochs_needed(log_growth, _updates_per_epoch(optimizer, n_samples)) if stable else None
    stalled = needed is not None and needed > epochs
    kappa = condition_number(eigenvalues)
    # ill-conditioned: the spectrum, not the rate, is to blame: κ is large and even the best constant rate stalls
    ill = stalled and kappa >= ILL_CONDITIONED_KAPPA and best_constant_rate(values).convergence_epochs > epochs
    return StabilityReport(
        optimizer=optimizer.name, lr=lr, regime=regime, final_regime=final_regime, reason=None, eta_lambda_max=eta_l,
        lambda_max=float(values[-1]), stable_limit=limit, growth=growth, stable=stable,
        condition_number=condition_number(eigenvalues), convergence_epochs=needed, epochs=epochs, stalled=stalled,
        ill_conditioned=ill,
    )


def stability_of(problem: Problem, optimizer: Optimizer, epochs: int) -> StabilityReport:
    """`stability` with the problem's spectrum and row count."""
    return stability(optimizer, problem.eigenvalues, epochs, problem.n_samples)


# ---------------------------------------------------------------------------------------------------------
# Decay: a time-varying linear iteration, e_K = Π_{t<K} (1 − η₀λ/√(t+1)) e₀ along each direction.


def _log_factors(x: np.ndarray) -> np.ndarray:
    """ln|1 − x| elementwise, accurate for a tiny x (log1p); −inf where x = 1 exactly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x < 1.0, np.log1p(-np.minimum(x, 1.0)), np.log(np.abs(x - 1.0)))


def _decay_outcome(lr: float, values: np.ndarray, last_log_growth: float) -> tuple[bool, int | None]:
    """(stable, epochs to 1 %) for η_t = η₀/√(t+1), summing ln|1 − η_tλᵢ| step by step (in chunks).

    Stable: the last rate contracts every direction and the early growth (while η_t·L > 2) stays below the
    runner's divergence bound (error ×√DIVERGENCE_FACTOR, i.e. loss ×DIVERGENCE_FACTOR). Once t + 1 ≥ (η₀L)² every
    factor is in [0, 1): from there the worst direction's error only falls.
    """
    if not last_log_growth < 0.0:
        return False, None
    calm = math.ceil(min(lr * float(values[-1]), 1e4) ** 2)  # steps after which every factor is in [0, 1)
    exact = min(max(_DECAY_EXACT_STEPS // 10, calm), _DECAY_EXACT_STEPS)
    target, bound = math.log(ERROR_FRACTION), 0.5 * math.log(DIVERGENCE_FACTOR)
    total, last_above = np.zeros_like(values), 0
    for start in range(0, exact, _CHUNK):
        stop = min(start + _CHUNK, exact)
        rates = lr / np.sqrt(np.arange(start + 1, stop + 1, dtype=float))  # η_t for t = start..stop−1
        logs = total + np.cumsum(_log_factors(rates[:, None] * values[None, :]), axis=0)  # (steps, p)
        worst = logs.max(axis=1)  # after K = start+1..stop steps
        if worst.max() >= bound:
            return False, None
        above = np.flatnonzero(worst > target)
        last_above = start + int(above[-1]) + 1 if above.size else last_above
        total = logs[-1]
        if stop >= calm and last_above < stop:
            return True, last_above + 1
    # Beyond: ln(1 − η₀λ/√(t+1)) ≈ −η₀λ/√(t+1), summing to −2η₀λ(√K − √K₀); solve for each direction.
    missing = np.maximum(total - target, 0.0)  # how far each direction still has to go
    needed = float(np.max((math.sqrt(exact) + missing / (2.0 * lr * values)) ** 2))
    return True, math.ceil(needed) if math.isfinite(needed) else None
