"""Writes torch_reference.json: torch.optim's trajectories on a fixed quadratic, for test_optimizers.py.

Not a test and not a project dependency: run it by hand in a scratch venv that has torch and numpy, e.g.
    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
    /tmp/torchvenv/bin/python tests/gdcore/make_torch_reference.py
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

STEPS = 20
# loss(w) = ½ (w − c)ᵀA(w − c), A symmetric positive definite (eigenvalues ≈ 0.88, 1.38, 3.74)
A = [[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.0]]
C = [1.0, -2.0, 0.5]
W0 = [-1.5, 2.0, 3.0]

Factory = Callable[[list[torch.Tensor]], tuple[torch.optim.Optimizer, Any]]


def _sgd(**kwargs: Any) -> Factory:
    return lambda params: (torch.optim.SGD(params, foreach=False, **kwargs), None)


def _decay(lr: float) -> Factory:
    # η_t = η₀/√(t+1): LambdaLR multiplies the base rate by the factor for the scheduler's epoch t
    def build(params: list[torch.Tensor]) -> tuple[torch.optim.Optimizer, Any]:
        optimizer = torch.optim.SGD(params, lr=lr, foreach=False)
        return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 1 / math.sqrt(t + 1))

    return build


def _plain(cls: type[torch.optim.Optimizer], **kwargs: Any) -> Factory:
    return lambda params: (cls(params, foreach=False, **kwargs), None)


# (gdviz optimizer name, gdviz record fields, how torch builds the same optimizer)
CASES: list[tuple[str, dict[str, float], Factory]] = [
    ("gd", {"lr": 0.2}, _sgd(lr=0.2)),
    ("gd", {"lr": 0.45}, _sgd(lr=0.45)),  # η·L ≈ 1.7: jumping
    ("sgd", {"lr": 0.2}, _sgd(lr=0.2)),  # the optimizer step alone (the batch is the runner's business)
    ("decay", {"lr": 0.3}, _decay(0.3)),
    ("decay", {"lr": 0.6}, _decay(0.6)),
    ("momentum", {"lr": 0.05}, _sgd(lr=0.05, momentum=0.9)),
    ("momentum", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}, _sgd(lr=0.1, momentum=0.5, dampening=0.3)),
    ("nesterov", {"lr": 0.05}, _sgd(lr=0.05, momentum=0.9, nesterov=True)),
    ("nesterov", {"lr": 0.1, "momentum": 0.6}, _sgd(lr=0.1, momentum=0.6, nesterov=True)),
    ("adagrad", {"lr": 0.5}, _plain(torch.optim.Adagrad, lr=0.5)),
    (
        "adagrad",
        {"lr": 0.8, "eps": 1e-6, "lr_decay": 0.05, "initial_accumulator_value": 0.5},
        _plain(torch.optim.Adagrad, lr=0.8, eps=1e-6, lr_decay=0.05, initial_accumulator_value=0.5),
    ),
    ("rmsprop", {"lr": 0.05}, _plain(torch.optim.RMSprop, lr=0.05)),
    (
        "rmsprop",
        {"lr": 0.02, "alpha": 0.9, "eps": 1e-6},
        _plain(torch.optim.RMSprop, lr=0.02, alpha=0.9, eps=1e-6),
    ),
    ("adam", {"lr": 0.1}, _plain(torch.optim.Adam, lr=0.1)),
    (
        "adam",
        {"lr": 0.2, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        _plain(torch.optim.Adam, lr=0.2, betas=(0.8, 0.99), eps=1e-6),
    ),
]


def trajectory(factory: Factory) -> list[list[float]]:
    """The parameters before the first step and after each of STEPS steps, as torch computes them."""
    a = torch.tensor(A, dtype=torch.float64)
    c = torch.tensor(C, dtype=torch.float64)
    w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    optimizer, scheduler = factory([w])
    rows = [w.detach().tolist()]
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = 0.5 * (w - c) @ a @ (w - c)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        rows.append(w.detach().tolist())
    return rows


def _one_row_per_line(text: str) -> str:
    """Collapse each innermost JSON list of numbers onto one line."""
    return re.sub(r"\[([^\[\]{}]*)\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


def main() -> None:
    torch.set_default_dtype(torch.float64)
    reference = {
        "generated_by": f"tests/gdcore/make_torch_reference.py with torch {torch.__version__}",
        "problem": {"A": A, "c": C, "w0": W0, "steps": STEPS},
        "cases": [
            {"optimizer": name, "params": params, "weights": trajectory(factory)}
            for name, params, factory in CASES
        ],
    }
    path = Path(__file__).with_name("torch_reference.json")
    path.write_text(_one_row_per_line(json.dumps(reference, indent=1)) + "\n")
    print(f"wrote {len(CASES)} trajectories to {path}")


if __name__ == "__main__":
    main()
