"""The one theme both engines read: a colour per regime, light and dark palettes, fonts."""

from __future__ import annotations

from dataclasses import dataclass

from gdcore.errors import GdvizInputError
from gdcore.regimes import Regime

# One colour per regime, everywhere (Okabe–Ito based: distinguishable with colour-vision deficiency).
REGIME_COLORS: dict[Regime, str] = {
    Regime.SLOW: "#0072B2",  # blue
    Regime.GOOD: "#009E73",  # green
    Regime.JUMPING: "#E69F00",  # orange
    Regime.MARGINAL: "#CC79A7",  # purple
    Regime.DIVERGENT: "#D55E00",  # vermilion
}

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: identical text on every machine


@dataclass(frozen=True)
class Palette:
    name: str
    background: str
    foreground: str  # text, axes, spines
    muted: str  # grid lines, secondary text
    data: str  # the data points
    fit: str  # the fitted line or plane
    path: str  # the descent path
    optimum: str  # the closed-form optimum marker and line
    truth: str  # true parameters, where known
    colormap: str  # loss surface and contours
    banner: str  # background of the divergence banner


LIGHT = Palette(
    name="light", background="#ffffff", foreground="#1a1a1a", muted="#b8b8b8", data="#4d4d4d",
    fit="#D55E00", path="#C0392B", optimum="#1a1a1a", truth="#7f7f7f", colormap="viridis", banner="#fde7e1",
)
DARK = Palette(
    name="dark", background="#14161a", foreground="#ececec", muted="#4a4d55", data="#c9c9c9",
    fit="#FF8C42", path="#FF5E5B", optimum="#ffffff", truth="#9a9a9a", colormap="magma", banner="#4a1d14",
)
PALETTES: dict[str, Palette] = {"light": LIGHT, "dark": DARK}
THEME_NAMES: tuple[str, ...] = tuple(PALETTES)


def palette(name: str) -> Palette:
    if name not in PALETTES:
        raise GdvizInputError(f"unknown theme {name!r}: choose one of {', '.join(THEME_NAMES)}")
    return PALETTES[name]


NO_REGIME_COLOR = "#7f7f7f"  # grey: adaptive methods have no η·L regime


def regime_color(regime: Regime | None) -> str:
    return NO_REGIME_COLOR if regime is None else REGIME_COLORS[regime]


def style_3d_axes(axes: object, colors: Palette) -> None:
    """Panes of a 3D axes in the palette's background (matplotlib's grey panes clash with the dark theme)."""
    for axis in (axes.xaxis, axes.yaxis, axes.zaxis):  # type: ignore[attr-defined]
        axis.set_pane_color(colors.background)


def matplotlib_style(colors: Palette, font_size: float) -> dict[str, object]:
    """rcParams for a figure in this palette; font_size in points (the renderer scales it with the frame)."""
    return {
        "figure.facecolor": colors.background,
        "axes.facecolor": colors.background,
        "savefig.facecolor": colors.background,
        "axes.edgecolor": colors.foreground,
        "axes.labelcolor": colors.foreground,
        "axes.titlecolor": colors.foreground,
        "text.color": colors.foreground,
        "xtick.color": colors.foreground,
        "ytick.color": colors.foreground,
        "grid.color": colors.muted,
        "grid.alpha": 0.5,
        "grid.linewidth": 0.6,
        "axes.grid": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.family": FONT_FAMILY,
        "font.size": font_size,
        "axes.titlesize": font_size * 1.05,
        "axes.labelsize": font_size,
        "xtick.labelsize": font_size * 0.85,
        "ytick.labelsize": font_size * 0.85,
        "legend.fontsize": font_size * 0.8,
        "legend.frameon": False,
        "figure.titlesize": font_size * 1.25,
        "mathtext.fontset": "dejavusans",
        "axes.unicode_minus": True,
        "axes.formatter.limits": (-4, 4),  # 750000 crowds its neighbours: ticks past 10⁴ get a ×10ⁿ offset
        "axes.formatter.use_mathtext": True,  # the offset reads '×10⁷', not '1e7'
        "svg.fonttype": "none",
    }


# One colour per racing optimizer, in the order raced (Okabe–Ito, apart from the regime colours' vermilion).
RACE_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
