"""UpdateRuleScene: the update rule as an equation, then its numbers for the first steps beside the line they move.

    manim -ql scenes/manim/update_rule.py UpdateRuleScene      (default data `plane`, regime `good`)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import manim as mn
import numpy as np

from gdcore.experiment import Experiment
from gdcore.frames import HOLD_SECONDS
from scenes.captions import divergence_text
from scenes.manim.common import DEFAULT_MOTION_SECONDS, RunScene, add_tick_labels, nice_range, padded, quiet_manim

quiet_manim()

STEPS = 3  # epochs 0→1, 1→2, 2→3
DIGITS = 4  # significant digits of every number shown
DEFAULT_SECONDS = 11.0  # the scene's length at the default plan; other plans scale it
ROWS_RIGHT = 1.5  # the number rows end here, clear of the panel's tick labels
DEFAULT_PLAN_SECONDS = DEFAULT_MOTION_SECONDS + HOLD_SECONDS
# The script in beats (relative durations), scaled so that they add up to the scene's length.
BEATS = {"rule": 1.4, "gradient": 0.9, "header": 0.5, "turn": 0.7, "numbers": 0.7, "step": 0.6, "rest": 0.7,
         "move": 1.1, "pause": 0.5, "banner": 0.7, "end": 0.8}


def slim(mobject: mn.VMobject) -> mn.VMobject:
    """Drop the parsed SVG path each glyph keeps after its points are built: Manim's animations deep-copy
    their mobjects, and copying those paths made a Typst row ~15× slower to copy (measured)."""
    for part in mobject.get_family():
        if hasattr(part, "path_obj"):
            del part.path_obj
    return mobject


def typst_number(value: float, digits: int = DIGITS) -> str:
    """A number as Typst math at `digits` significant digits: 1.777, -11.84, 0, 1.235 dot 10^(5)."""
    if not math.isfinite(value):
        return "oo" if value > 0 else ("-oo" if value < 0 else "\"NaN\"")
    text = f"{value:#.{digits}g}".replace(".e", "e").removesuffix(".")  # '#' keeps zeros: -12.40 over 1.777
    if float(text) == 0.0:
        return "0"  # never '-0'
    return typst_exponent(text)


def typst_exponent(text: str) -> str:
    """Python's '1.235e+05' as Typst's 1.235 dot 10^(5) (Typst math would read 'e+05' as e plus 05)."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa} dot 10^({int(exponent)})"


def typst_vector(values: np.ndarray) -> str:
    """A column vector, entries right-aligned."""
    return f"vec({', '.join(typst_number(float(value)) for value in values)}, align: #right)"


def typst_names(names: Sequence[str]) -> str:
    """The parameter names as an undelimited column that lines up with the vectors beside it."""
    return f"vec({', '.join(json.dumps(name) for name in names)}, delim: #none, align: #right)"


def colored(color: str, expression: str) -> str:
    """Typst math in a colour (MathTypst recolours only what Typst left black)."""
    return f'#text(fill: rgb("{color}"))[${expression}$]'


def step_numbers(run: Experiment, epoch: int) -> dict[str, np.ndarray | int]:
    """What step `epoch` → `epoch`+1 shows: the stored weights around it and the problem's gradient at w_k.

    The gradient is the problem's formula read at a stored point (no step is taken here). For plain GD the step
    is −η∇L(w_k); for any other optimiser it is the stored difference w_{k+1} − w_k.
    """
    weights = run.trajectory.weights
    gradient = np.asarray(run.problem.gradient(weights[epoch]), dtype=float)
    step = -run.trajectory.lr * gradient if is_plain_gd(run) else weights[epoch + 1] - weights[epoch]
    return {"epoch": epoch, "weights": weights[epoch].copy(), "gradient": gradient, "step": step,
            "new_weights": weights[epoch + 1].copy()}


def without(group: mn.VMobject, parts: Sequence[mn.VMobject]) -> list[mn.VMobject]:
    """The submobjects of `group` that are not among `parts` (by identity)."""
    excluded = {id(part) for part in parts}
    return [part for part in group if id(part) not in excluded]


def carry(source: mn.VGroup, target: mn.VGroup) -> mn.Animation:
    """Move a vector onto its copy elsewhere: glyph by glyph when they pair up (the same Typst source gives the
    same glyphs in the same order), else by shape. TransformMatchingShapes alone would send each repeated digit
    to any equal digit and scramble the vector on the way."""
    if len(source) == len(target):
        return mn.ReplacementTransform(source, target)
    return mn.TransformMatchingShapes(source, target)


def is_plain_gd(run: Experiment) -> bool:
    return run.trajectory.optimizer == "gd"


def clipped_segment(intercept: float, slope: float, x_range: tuple[float, float],
                    y_range: tuple[float, float]) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of y = intercept + slope·x inside the box, as two (x, y) points; None when it misses the box."""
    (x0, x1), (y_low, y_high) = x_range, y_range
    start, end = intercept + slope * x0, intercept + slope * x1
    rise = end - start
    t_low, t_high = 0.0, 1.0
    if abs(rise) <= 1e-12 * (y_high - y_low):  # flat across the box: wholly inside or wholly outside
        if not y_low <= start <= y_high:
            return None
    else:
        ta, tb = (y_low - start) / rise, (y_high - start) / rise
        t_low, t_high = max(t_low, min(ta, tb)), min(t_high, max(ta, tb))
        if t_low >= t_high:
            return None
    points = [np.array([x0 + t * (x1 - x0), start + t * rise]) for t in (t_low, t_high)]
    return points[0], points[1]


class UpdateRuleScene(RunScene):
    """w ← w − η∇L(w) written out, then the numbers of the first steps, the fitted line moving with each one.

    After construct: steps_shown (one dict per step: epoch, weights, gradient, step, new_weights), final_line
    (the panel's line at the last w shown, clipped to the panel), axes and held (the other features' means).
    """

    def construct(self) -> None:
        run = self.run
        self.steps_shown: list[dict[str, np.ndarray | int]] = [
            step_numbers(run, epoch) for epoch in range(min(STEPS, run.trajectory.epochs_run))]
        self.unit = self.beat_seconds()
        self.held = run.dataset.features[:, 1:].mean(axis=0)
        self.off_panel_notes: dict[bool, mn.Text] = {}
        panel = self.panel()
        title = self.title(26)
        self.line = self.line_at(run.trajectory.weights[0])
        # Static first: Manim draws everything before the first moving mobject once, as a background.
        self.add(title, panel, self.line)
        self.write_rule(title)
        previous = None
        for numbers in self.steps_shown:
            previous = self.show_step(numbers, previous)
        self.finish()

    # -- timing -----------------------------------------------------------------------------------------------

    def beat_seconds(self) -> float:
        """Seconds per beat: the script fills DEFAULT_SECONDS at the default plan and scales with plan.duration."""
        steps = len(self.steps_shown)
        beats = BEATS["rule"] + BEATS["gradient"] + BEATS["end"] + BEATS["banner"] * self.run.trajectory.diverged
        beats += steps * sum(BEATS[name] for name in ("numbers", "step", "rest", "move", "pause"))
        beats += BEATS["header"] + max(steps - 1, 0) * BEATS["turn"]
        seconds = DEFAULT_SECONDS * self.plan.duration / DEFAULT_PLAN_SECONDS
        return seconds / beats

    def seconds(self, beat: str) -> float:
        """A beat's run time, never shorter than one frame."""
        return max(BEATS[beat] * self.unit, 1.0 / float(mn.config.frame_rate))

    # -- the static parts -------------------------------------------------------------------------------------

    def math(self, expression: str, size: float = 30) -> mn.MathTypst:
        return slim(mn.MathTypst(expression, font_size=size, color=self.colors.foreground))

    def rule(self) -> mn.VMobject:
        """The update rule (plain GD: w_(k+1) = w_k − η∇L(w_k); others: the optimiser's own description)."""
        run = self.run
        if is_plain_gd(run):
            rate = typst_exponent(f"{run.trajectory.lr:g}")
            return self.math(f"w_(k+1) = w_k - eta nabla L(w_k) , quad eta = {rate}", 38)
        return self.text(f"{run.optimizer.describe()}   (η = {run.trajectory.lr:g})", 26)

    def gradient_formula(self) -> mn.MathTypst:
        """The cost and its gradient in the problem's own convention: mse 1/n and 2/n, half-mse 1/(2n) and 1/n."""
        half = self.run.problem.cost == "half-mse"
        cost, factor = ("1/(2n)", "1/n") if half else ("1/n", "2/n")
        return self.math(f"L(w) = {cost} norm(X w - y)^2 quad => quad nabla L(w) = {factor} X^T (X w - y)", 32)

    def panel(self) -> mn.VGroup:
        """Small axes with the data (first feature; the others held at their means) and a caption."""
        run = self.run
        x, y = run.dataset.features[:, 0], run.dataset.target
        axes = mn.Axes(x_range=nice_range(*padded(x), ticks=4, round_end=False),
                       y_range=nice_range(*padded(y), ticks=4, round_end=False),
                       x_length=4.3, y_length=3.3, tips=False,
                       axis_config={"color": self.colors.foreground, "stroke_width": 2})
        axes.move_to(np.array([4.4, -1.35, 0.0]))
        self.axes = axes
        self.x_range = (float(axes.x_range[0]), float(axes.x_range[1]))
        self.y_range = (float(axes.y_range[0]), float(axes.y_range[1]))
        feature, target = run.dataset.feature_names[0], run.dataset.target_name
        labels = mn.VGroup(
            add_tick_labels(axes, 16, self.colors.foreground),
            self.text(feature, 20).next_to(axes.x_axis.get_right(), mn.DOWN, buff=0.4),
            self.text(target, 20).next_to(axes.y_axis.get_top(), mn.UP, buff=0.15),
        )
        dots = mn.VGroup(*[mn.Dot(axes.c2p(xi, yi), radius=0.035, color=self.colors.data, fill_opacity=0.7)
                           for xi, yi in zip(x, y, strict=True)])
        caption = mn.VGroup(self.text(f"ŷ = {run.dataset.param_names[0]} + {run.dataset.param_names[1]}·{feature}",
                                      20))
        if run.dataset.n_features > 1:
            names = ", ".join(run.dataset.feature_names[1:])
            caption.add(self.text(f"{names} held at the mean", 16, color=self.colors.truth))
        caption.arrange(mn.DOWN, buff=0.08).next_to(mn.VGroup(axes, labels), mn.UP, buff=0.2)
        return mn.VGroup(axes, labels, dots, caption)

    def line_at(self, weights: np.ndarray, ghost: bool = False) -> mn.VMobject:
        """ŷ = b + w1·x + Σ wⱼ·x̄ⱼ, clipped to the panel (a diverging line would otherwise cross the equations).

        A line that misses the panel altogether becomes a note at the edge it left by ('line above the panel ↑');
        a ghost (where the line was) simply disappears.
        """
        intercept = float(weights[0] + weights[2:] @ self.held)
        segment = clipped_segment(intercept, float(weights[1]), self.x_range, self.y_range)
        if segment is not None:
            start, end = (self.axes.c2p(*point) for point in segment)
            return mn.Line(start, end, color=self.colors.muted if ghost else self.colors.fit, stroke_width=4)
        if ghost:
            return mn.VMobject()
        return self.off_panel_note(above=intercept + weights[1] * self.x_range[0] > self.y_range[1])

    def off_panel_note(self, above: bool) -> mn.Text:
        """Built once per side (a pango call), then reused: the line may be off the panel for many frames."""
        if above not in self.off_panel_notes:
            note = self.text(f"line {'above' if above else 'below'} the panel {'↑' if above else '↓'}", 18,
                             color=self.colors.fit)
            edge = self.y_range[1] if above else self.y_range[0]
            note.move_to(self.axes.c2p(sum(self.x_range) / 2, edge) + (mn.DOWN if above else mn.UP) * 0.3)
            self.off_panel_notes[above] = slim(note)
        return self.off_panel_notes[above]

    # -- the animation ----------------------------------------------------------------------------------------

    def write_rule(self, title: mn.Mobject) -> None:
        rule = self.rule().next_to(title, mn.DOWN, buff=0.35)
        if rule.width > mn.config.frame_width - 1.0:  # a long optimiser description
            rule.scale_to_fit_width(mn.config.frame_width - 1.0)
        formula = self.gradient_formula().next_to(rule, mn.DOWN, buff=0.25)
        self.play(mn.Succession(mn.Write(rule, run_time=self.seconds("rule")),
                                mn.FadeIn(formula, shift=0.2 * mn.DOWN, run_time=self.seconds("gradient"))))
        self.rule_bottom = formula.get_bottom()[1]

    def step_rows(self, numbers: dict[str, np.ndarray | int]) -> tuple[mn.Text, mn.MathTypst, mn.MathTypst]:
        """The step's header and its two rows: ∇L(w_k) and the step, then w_(k+1) = w_k + step.

        Colours are set in the Typst source (MathTypst keeps them), so {{ }} groups mark only the parts that
        animate on their own: the step, w_k (where the last new w lands) and the new w.
        """
        k = int(numbers["epoch"])
        names = colored(self.colors.truth, typst_names(self.run.dataset.param_names))
        now, new = f"w_{k}", f"w_{k + 1}"
        step_label = f"-eta nabla L({now})" if is_plain_gd(self.run) else f"{new} - {now}"
        step = colored(self.colors.fit, typst_vector(numbers["step"]))
        header = self.text(f"step {k + 1}: epoch {k} → {k + 1}", 24)
        gradients = self.math(f"{names} quad nabla L({now}) = {typst_vector(numbers['gradient'])}"
                              f" quad quad {{{{ {step_label} = {step} : step }}}}")
        update = self.math(f"{names} quad {new} = underbrace({{{{ {typst_vector(numbers['weights'])} : now }}}}, {now})"
                           f" + underbrace({typst_vector(numbers['step'])}, {step_label})"
                           f" = {{{{ {colored(self.colors.fit, typst_vector(numbers['new_weights']))} : new }}}}")
        left = -6.6
        header.move_to(np.array([left, self.rule_bottom - 0.45, 0.0]), aligned_edge=mn.LEFT)
        gradients.next_to(header, mn.DOWN, buff=0.3).align_to(header, mn.LEFT)
        update.next_to(gradients, mn.DOWN, buff=0.35).align_to(header, mn.LEFT)
        for row in (gradients, update):  # keep clear of the panel on the right
            if row.get_right()[0] > ROWS_RIGHT:
                row.scale((ROWS_RIGHT - left) / row.width, about_edge=mn.LEFT)
        return header, gradients, update

    def show_step(self, numbers: dict[str, np.ndarray | int],
                  previous: tuple[mn.Text, mn.MathTypst, mn.MathTypst] | None,
                  ) -> tuple[mn.Text, mn.MathTypst, mn.MathTypst]:
        """Header, ∇L(w_k) and the step, then w_(k+1) while the line moves from w_k to w_(k+1)."""
        header, gradients, update = self.step_rows(numbers)
        now, new, step = update.select("now"), update.select("new"), gradients.select("step")
        if previous is None:
            opening: mn.Animation = mn.FadeIn(header, shift=0.2 * mn.RIGHT, run_time=self.seconds("header"))
            carried: list[mn.VMobject] = []
        else:
            old_header, old_gradients, old_update = previous
            old_new = old_update.select("new")
            # The new w of the last step travels into the place of this step's current w.
            opening = mn.AnimationGroup(
                mn.FadeOut(old_header, old_gradients, *without(old_update, old_new), shift=0.3 * mn.UP),
                mn.FadeIn(header, shift=0.3 * mn.UP), carry(old_new, now),
                run_time=self.seconds("turn"))
            carried = list(now)
        start, end = np.asarray(numbers["weights"]), np.asarray(numbers["new_weights"])
        ghost = self.line_at(start, ghost=True)
        self.bring_to_back(ghost)  # where the line was: part of the static background, under the dots

        def glide(line: mn.VMobject, alpha: float) -> None:  # a straight path in weight space
            line.become(self.line_at(start + alpha * (end - start)))

        # Few plays (each costs Manim a partial movie file) but no long ones: an AnimationGroup interpolates all its
        # parts on every frame, so the fading-out rows get a play of their own.
        self.play(opening)
        self.play(mn.AnimationGroup(
            mn.FadeIn(*without(gradients, step), shift=0.2 * mn.RIGHT, run_time=self.seconds("numbers")),
            mn.FadeIn(step, shift=0.2 * mn.RIGHT, run_time=self.seconds("step")), lag_ratio=1.0))
        self.play(mn.FadeIn(*without(update, [*new, *carried]), run_time=self.seconds("rest")))
        self.play(mn.AnimationGroup(
            mn.AnimationGroup(mn.UpdateFromAlphaFunc(self.line, glide), mn.FadeIn(new, shift=0.2 * mn.RIGHT),
                              run_time=self.seconds("move")),
            mn.Wait(run_time=self.seconds("pause")), lag_ratio=1.0))
        self.remove(ghost)
        self.final_line = self.line_at(end)
        return header, gradients, update

    def finish(self) -> None:
        if not self.steps_shown:
            self.final_line = self.line_at(self.run.trajectory.weights[0])
            note = self.text("the run stopped before its first step", 24)
            note.move_to(np.array([-6.6, self.rule_bottom - 0.45, 0.0]), aligned_edge=mn.LEFT)
            self.play(mn.FadeIn(note), run_time=self.seconds("banner"))
        if self.run.trajectory.diverged:
            banner = self.text(divergence_text(self.run), 22, color=self.regime_color(self.run))
            banner.to_edge(mn.DOWN, buff=0.3).to_edge(mn.LEFT, buff=0.6)
            self.play(mn.FadeIn(banner, shift=0.2 * mn.UP), run_time=self.seconds("banner"))
        self.wait(self.seconds("end"))
