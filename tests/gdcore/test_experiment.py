"""prepare(): the honest stability report, the theory deviation and the original units on an Experiment."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.datasets import Dataset, TrainingDefaults, load_preset, standardize
from gdcore.experiment import Hyperparameters, RunRequest, prepare
from gdcore.regimes import Regime


def test_gd_keeps_its_rate_report_and_gains_a_stability_report() -> None:
    experiment = prepare(load_preset("plane"))
    assert experiment.rate.regime == Regime.GOOD
    report = experiment.stability
    assert report is not None and report.regime == Regime.GOOD and report.stable
    assert report.epochs == experiment.trajectory.epochs_run
    deviation = experiment.theory_max_deviation
    assert deviation is not None and deviation < 1e-10
    modes = experiment.modes
    np.testing.assert_allclose(modes.final, modes.factors**300 * modes.initial, atol=1e-10)  # type: ignore[operator]


def test_momentum_past_two_over_l_is_not_called_divergent() -> None:
    plane = load_preset("plane")
    probe = prepare(plane, RunRequest(epochs=1))
    lr = 3.0 / probe.problem.lambda_max
    experiment = prepare(plane, RunRequest(lr=lr, optimizer="momentum", hyper=Hyperparameters(momentum=0.9)))
    assert experiment.rate.regime == Regime.DIVERGENT  # plain GD's rule, kept as it was
    assert experiment.stability is not None and experiment.stability.regime == Regime.JUMPING
    assert experiment.trajectory.status != "diverged" and experiment.theory_max_deviation is None


def test_adam_has_no_regime() -> None:
    experiment = prepare(load_preset("plane"), RunRequest(optimizer="adam", lr=0.05))
    assert experiment.stability is not None and experiment.stability.regime is None
    assert experiment.stability.convergence_epochs is None


def test_thirty_houses_stall_and_say_so() -> None:
    rng = np.random.default_rng(11)
    size = rng.uniform(800, 3500, 30)
    houses = Dataset(
        name="houses", features=size[:, None], target=40 + 0.15 * size + rng.normal(0, 25, 30),
        feature_names=("size_sqft",), target_name="price", true_params=None, source="test",
        defaults=TrainingDefaults(lr=None, epochs=300, init=None, cost="mse"),
    )
    raw = prepare(houses)  # the 'good' preset rate
    assert raw.stability is not None and raw.stability.ill_conditioned
    assert "ill-conditioned" in raw.stability.label and raw.stability.convergence_epochs is not None
    assert raw.trajectory.final_loss > 1.05 * raw.problem.closed_form_loss  # it did stall
    scaled = prepare(standardize(houses))
    assert scaled.stability is not None and not scaled.stability.stalled
    original = scaled.weights_in_original_units[-1]
    np.testing.assert_allclose(original, raw.problem.closed_form, rtol=1e-6)
    assert scaled.weights_in_original_units.shape == scaled.trajectory.weights.shape


@pytest.mark.parametrize("optimizer", ["decay", "nesterov", "sgd", "rmsprop", "adagrad"])
def test_every_optimizer_gets_a_report(optimizer: str) -> None:
    experiment = prepare(load_preset("line"), RunRequest(optimizer=optimizer, epochs=50))
    assert experiment.stability is not None and experiment.stability.optimizer == optimizer
    assert isinstance(experiment.stability.label, str)
