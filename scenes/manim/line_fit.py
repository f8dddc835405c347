"""LineFitScene: the data, the fitted line moving epoch by epoch, and a live readout of epoch, loss, b and w.

    manim -ql scenes/manim/line_fit.py LineFitScene      (default data `plane`, regime `good`)
"""

from __future__ import annotations

from collections.abc import Callable

import manim as mn
import numpy as np

from scenes.manim.common import (
    FastReadout,
    PlannedRun,
    RunScene,
    add_tick_labels,
    quiet_manim,
    short_number,
)

quiet_manim()

PAD = 0.08


def padded(values: np.ndarray) -> tuple[float, float]:
    """The values' range with a margin, not crossing zero when the values do not (axes then meet at a corner)."""
    low, high = float(values.min()), float(values.max())
    pad = PAD * (high - low or 1.0)
    return (max(low - pad, 0.0) if low >= 0 else low - pad), (min(high + pad, 0.0) if high <= 0 else high + pad)


def nice_range(low: float, high: float, ticks: int = 5) -> list[float]:
    """[start, end, step] for a Manim axis covering low..high with about `ticks` round-numbered ticks."""
    raw = max(high - low, 1e-12) / ticks
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [float(np.floor(low / step) * step), float(np.ceil(high / step) * step), float(step)]


class LineFitScene(RunScene):
    """Gradient descent fitting a line: ŷ = b + w·x over the data (any other features held at their means)."""

    def construct(self) -> None:
        run, planned = self.run, PlannedRun(self.run, self.plan)
        x, y = run.dataset.features[:, 0], run.dataset.target
        held = run.dataset.features[:, 1:].mean(axis=0)
        axes, labels = self.data_axes(x, y)
        dots = mn.VGroup(*[mn.Dot(axes.c2p(xi, yi), radius=0.045, color=self.colors.data, fill_opacity=0.8)
                           for xi, yi in zip(x, y, strict=True)])
        frame = mn.ValueTracker(0.0)
        self.x_ends = np.array(axes.x_range[:2], dtype=float)

        def line_at(weights: np.ndarray) -> mn.Line:
            # ŷ = b + w1·x + Σ wⱼ·x̄ⱼ at both ends of the x-axis; the line may leave the axes when diverging
            ends = weights[0] + weights[2:] @ held + weights[1] * self.x_ends
            return mn.Line(axes.c2p(self.x_ends[0], ends[0]), axes.c2p(self.x_ends[1], ends[1]),
                           color=self.colors.fit, stroke_width=5)

        line = mn.always_redraw(lambda: line_at(planned.weights_at(frame.get_value())))
        labels_of_readouts, numbers = self.readouts(planned, frame)
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        self.add(axes, labels, dots, self.title_block(), *labels_of_readouts)
        self.add(line, *numbers)
        self.play_plan(frame)
        self.final_line = line_at(run.trajectory.final_weights)
        self.axes = axes

    def data_axes(self, x: np.ndarray, y: np.ndarray) -> tuple[mn.Axes, mn.VGroup]:
        axes = mn.Axes(x_range=nice_range(*padded(x)), y_range=nice_range(*padded(y)), x_length=8.2, y_length=5.2,
                       tips=False,
                       axis_config={"color": self.colors.foreground})
        axes.to_edge(mn.LEFT, buff=1.0).shift(mn.DOWN * 0.4)
        labels = axes.get_axis_labels(self.text(self.run.dataset.feature_names[0], 24),
                                      self.text(self.run.dataset.target_name, 24))
        labels.add(add_tick_labels(axes, 20, self.colors.foreground))
        return axes, labels

    def title_block(self) -> mn.VGroup:
        run = self.run
        title = self.text(f"{run.dataset.name} · lr {run.trajectory.lr:g} · η·L = {run.rate.eta_lambda_max:.2g} "
                          f"({run.rate.regime.value})", 28, color=self.regime_color(run))
        title.to_edge(mn.UP, buff=0.3)
        block = mn.VGroup(title)
        if run.dataset.n_features > 1:
            names = ", ".join(run.dataset.feature_names[1:])
            block.add(self.text(f"{names} held at the mean", 18, color=self.colors.muted).next_to(title, mn.DOWN, 0.1))
        return block

    def readouts(self, planned: PlannedRun, frame: mn.ValueTracker) -> tuple[list[mn.Mobject], list[mn.Mobject]]:
        """epoch, loss, b, w: the labels drawn once, the numbers moved every frame."""
        rows: list[tuple[str, Callable[[float], float], Callable[[float], str]]] = [
            ("epoch", planned.epoch_at, lambda value: f"{value:.0f}"),
            ("loss", planned.loss_at, short_number),
            (self.run.dataset.param_names[0], lambda f: planned.weights_at(f)[0], short_number),
            (self.run.dataset.param_names[1], lambda f: planned.weights_at(f)[1], short_number),
        ]
        labels: list[mn.Mobject] = []
        numbers: list[mn.Mobject] = []
        for row, (name, value_at, formatter) in enumerate(rows):
            label = self.text(name, 26).move_to(np.array([3.6, 2.0 - 0.75 * row, 0.0]), aligned_edge=mn.LEFT)
            number = FastReadout(value_at(0.0), formatter, width=10, font_size=26, color=self.colors.foreground)
            number.place(label.get_corner(mn.DL) + mn.RIGHT * 1.2)
            number.add_updater(lambda mob, value_at=value_at: mob.set_value(value_at(frame.get_value())))
            labels.append(label)
            numbers.append(number)
        return labels, numbers
