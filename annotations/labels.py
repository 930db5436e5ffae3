"""What a label name may be (one rule for every way a label enters a project), and colours for new labels."""

from __future__ import annotations

import colorsys
import re
import unicodedata
from collections.abc import Iterable

from .errors import ProjectError

ENTITY, STRUCTURE = "entity", "structure"
LAYERS = (ENTITY, STRUCTURE)
"""What a label's annotations describe: entities a model learns (an agency, a figure), or the parts
of a letter's structure (letterhead, body, closing), which contain entities. Flat exports take one."""

MAX_LENGTH = 64
"""Longest label name: long enough for any tag set, short enough for a palette row and a CoNLL column."""

# Tag prefixes of IOB2, IOBES and BILOU: a label "B-agency" would export as "B-B-agency", which
# readers that split a tag at its first hyphen take for another entity type.
_TAG_PREFIX = re.compile(r"[BIELSU]-", re.IGNORECASE)
OUTSIDE_TAG = "O"


class LabelNameError(ProjectError):
    """A label name that breaks the rule; `rule` says which part, without the name."""

    def __init__(self, name: str, rule: str) -> None:
        self.name = name
        self.rule = rule
        shown = repr(name) if len(name) <= 80 else repr(name[:60]) + "…"
        super().__init__(f"label name {shown} {rule}")

    def __reduce__(self) -> tuple[type[LabelNameError], tuple[str, str]]:
        # Rebuilt from name and rule when it crosses to another process (the window's store, a worker).
        return LabelNameError, (self.name, self.rule)


def label_name_problem(name: object) -> str | None:
    """Why `name` cannot be a label name, or None when it can."""
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not text"
    if not name:
        return "is empty; a label needs a name"
    for ch in name:
        # Line breaks, tabs and spaces other than U+0020 split lines and columns (str.splitlines,
        # whitespace-separated CoNLL readers); control and format characters (category C*) are
        # invisible or break XML. Only the plain space may separate the words of a name.
        if ch.isspace() and ch != " ":
            return f"contains a line break, tab or special space (U+{ord(ch):04X})"
        if unicodedata.category(ch)[0] == "C":
            return f"contains a control or format character (U+{ord(ch):04X})"
    if name != name.strip():
        return "starts or ends with a space"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters long; at most {MAX_LENGTH} are allowed"
    if name.upper() == OUTSIDE_TAG:
        return f"is the outside tag {OUTSIDE_TAG!r} of IOB exports"
    if _TAG_PREFIX.match(name):
        return f"starts with the tag prefix {name[:2]!r} (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)"
    return None


def layer_problem(layer: object) -> str | None:
    """Why `layer` cannot be a label's layer, or None when it can."""
    if layer not in LAYERS:
        return f"is not a label layer; layers are {', '.join(LAYERS)}"
    return None


def check_label_name(name: str) -> str:
    """`name` when it can be a label name; otherwise a LabelNameError (a ProjectError) naming it and the rule."""
    problem = label_name_problem(name)
    if problem is not None:
        raise LabelNameError(name, problem)
    return name


# Matplotlib's tab10 after the four defaults take the first four, then tab20's lighter halves:
# neighbours differ in hue, so labels added one after another look different.
PALETTE = (
    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728",
)
_NEAR = 60.0  # RGB distance under which two colours are hard to tell apart as highlights


def color_problem(color: object) -> str | None:
    """Why `color` cannot be a label's colour (exports and the window read it as #rrggbb), or None."""
    if not isinstance(color, str) or not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", color):
        return "is not a colour written as #rrggbb (or #rgb)"
    return None


def _rgb(color: str) -> tuple[int, int, int] | None:
    value = color.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return None


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5)


def choose_color(used: Iterable[str]) -> str:
    """A colour for a new label that is not, and is not close to, any colour in `used`.

    The palette's first colour far enough from every used one; when the palette is exhausted,
    hues round the colour wheel by the golden angle, skipping colours already taken.
    """
    taken = [rgb for rgb in (_rgb(c) for c in used) if rgb is not None]
    exact = set(taken)

    def spacing(rgb: tuple[int, int, int]) -> float:
        return min((_distance(rgb, t) for t in taken), default=float("inf"))

    for color in PALETTE:
        rgb = _rgb(color)
        assert rgb is not None
        if spacing(rgb) >= _NEAR:
            return color
    best, best_spacing = "", -1.0
    for k in range(1, 512):
        hue = (k * 0.381966) % 1.0  # the golden angle, as a fraction of the wheel
        lightness = (0.45, 0.6, 0.35)[k % 3]
        r, g, b = (round(255 * v) for v in colorsys.hls_to_rgb(hue, lightness, 0.65))
        if (r, g, b) in exact:
            continue
        if spacing((r, g, b)) >= _NEAR:
            return f"#{r:02x}{g:02x}{b:02x}"
        if spacing((r, g, b)) > best_spacing:
            best, best_spacing = f"#{r:02x}{g:02x}{b:02x}", spacing((r, g, b))
    return best
