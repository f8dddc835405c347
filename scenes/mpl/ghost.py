"""The theory path ('ghost') of constant-rate gd, for the panels that draw it faint beside the run: one style, one
source (gdcore.theory)."""

from __future__ import annotations

import numpy as np

from gdcore.experiment import Experiment
from gdcore.theory import theory_path

# Faint: thin, dashed, half transparent, in the palette's foreground (under the run's own path).
THEORY_STYLE: dict[str, object] = {"linestyle": (0, (4, 3)), "linewidth": 1.0, "alpha": 0.55}
THEORY_LABEL = "theory w* + (I − ηH)ᵏ(w₀ − w*)"  # what the dashes are: the closed form of constant-rate gd


def theory_weights(experiment: Experiment) -> np.ndarray | None:
    """w_k = w* + (I − ηH)ᵏ(w₀ − w*) for the epochs the run kept, shape (epochs_run + 1, p), non-finite rows
    dropped; None where no closed form applies (every optimizer but gd)."""
    path = theory_path(experiment.trajectory, experiment.problem, experiment.init)
    if path is None:
        return None
    return path[np.all(np.isfinite(path), axis=1)]


def theory_loss(experiment: Experiment) -> np.ndarray | None:
    """The loss along the theory path, shape (rows of theory_weights,); None without a closed form."""
    path = theory_weights(experiment)
    if path is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(experiment.problem.loss(path), dtype=float)
