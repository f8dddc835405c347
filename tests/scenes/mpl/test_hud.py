"""The words over a scene: the title and the divergence banner name the run as gdcore ran it."""

from __future__ import annotations

from scenes.mpl.hud import compact_divergence_text, divergence_text
from tests.scenes.conftest import experiment


def test_the_banner_names_the_epoch_whose_update_blew_up() -> None:
    kept = experiment("plane", lr=0.8)  # its last state is still finite: epoch 11 is kept
    assert kept.trajectory.diverged_at == kept.trajectory.epochs_run == 11
    assert divergence_text(kept).startswith("diverged at epoch 11: η·L = 4.96 > 2\nthe error grows ×3.96")
    lost = experiment("plane", lr=1e300)  # the first update overflows: nothing after the start is kept
    assert lost.trajectory.epochs_run == 0 and lost.trajectory.diverged_at == 1
    assert divergence_text(lost).startswith("diverged at epoch 1: ")
    assert compact_divergence_text(lost).startswith("diverged at epoch 1: ")
