"""What the hOCR, ALTO and PAGE readers share: the file and its pages as read, and the helpers for words and tags."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...errors import SourceError
from ...records import Box, RawRegion, RawSpan, RawWord

IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pdf")

UNITS_PER_INCH = {"mm10": 254.0, "inch1200": 1200.0}
"""ALTO's MeasurementUnit other than pixel: tenths of a millimetre, 1/1200 inch."""

SIZE_TOLERANCE = 0.01
"""How far a file's page size may differ from the image's, as a share of it (rounding in unit conversions)."""

EDGE_TOLERANCE = 0.02
"""How far beyond the page a box may reach before the file is refused; less is clipped (engines round outwards)."""


@dataclass
class FilePage:
    """One page as the file describes it, in the file's own units."""

    number: int
    width: float | None
    height: float | None
    words: list[RawWord]
    image: str | None = None
    """The image the page names, as written in the file (relative to the file), if it names one."""
    spans: list[RawSpan] = field(default_factory=list)
    """The spans the file tags on the page's words (ALTO tags, PAGE's custom attribute, hOCR's data-spans)."""
    regions: list[RawRegion] = field(default_factory=list)
    """Labelled regions (ALTO illustrations with a tag, PAGE graphic regions, hOCR images with a label), in the file's units."""


@dataclass
class WordsFile:
    """An hOCR, ALTO or PAGE file read: its pages' words in the file's order and units."""

    path: Path
    kind: str
    """"hOCR", "ALTO" or "PAGE"."""
    version: str
    unit: str = "pixel"
    creator: str = ""
    pages: list[FilePage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Annotations of the file that could not be taken (a label Scanspan cannot name), one line each."""

    @property
    def described(self) -> str:
        """What the page's provenance says of where its words came from."""
        kind = f"{self.kind} {self.version}".strip()
        made = f" made by {self.creator}" if self.creator else ""
        return f"words from {kind} file {self.path.name}{made}"

    def image_path(self) -> Path:
        """The image the file's pages name, relative to the file; or one beside it with the file's base name."""
        named = {p.image for p in self.pages if p.image}
        if len(named) > 1:
            raise SourceError(self.path, f"its pages name {len(named)} different images; import each with its own file "
                                         "(scanspan import IMAGE --words FILE)")
        folder = self.path.parent
        if named:
            name = named.pop().replace("\\", "/")
            if "://" in name and not name.startswith("file://"):
                raise SourceError(self.path, f"its image {name!r} is not a local file; import it with "
                                             "scanspan import IMAGE --words FILE")
            name = name.removeprefix("file://")
            # Archives move files: a folder named in the file often no longer exists beside it.
            for candidate in (folder / name, folder / Path(name).name):
                if candidate.is_file():
                    return candidate
            raise SourceError(self.path, f"its image {name} was not found (looked in {folder.absolute()})")
        stem = self.path.name.split(".")[0]
        found = sorted(p for p in folder.glob(f"{stem}.*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(p.name for p in found)
            raise SourceError(self.path, f"names no image and several lie beside it ({names}); "
                                         "say which with scanspan import IMAGE --words FILE")
        raise SourceError(self.path, "names no image and none lies beside it with its name; "
                                     "import it with scanspan import IMAGE --words FILE")

    def page_words(self, index: int, width: int, height: int, dpi_x: float, dpi_y: float, dpi_known: bool,
                   image_name: str) -> list[RawWord]:
        """Page `index` (0-based)'s words in the image's pixels, checked against the image's size."""
        return self.page_content(index, width, height, dpi_x, dpi_y, dpi_known, image_name)[0]

    def page_content(self, index: int, width: int, height: int, dpi_x: float, dpi_y: float, dpi_known: bool,
                     image_name: str) -> tuple[list[RawWord], list[RawRegion]]:
        """Page `index` (0-based)'s words and regions in the image's pixels, checked against the image's size."""
        page = self.pages[index]
        where = f"page {page.number}: " if len(self.pages) > 1 else ""
        sx, sy = 1.0, 1.0
        if self.unit != "pixel":
            if not dpi_known:
                raise SourceError(self.path, f"{where}its boxes are in {self.unit}, and {image_name} has no resolution "
                                             "to convert them to pixels with")
            per_inch = UNITS_PER_INCH[self.unit]
            sx, sy = dpi_x / per_inch, dpi_y / per_inch
        if page.width is not None and page.height is not None:
            w, h = page.width * sx, page.height * sy
            if abs(w - width) > max(2.0, width * SIZE_TOLERANCE) or abs(h - height) > max(2.0, height * SIZE_TOLERANCE):
                unit = "" if self.unit == "pixel" else f" ({page.width:g} x {page.height:g} {self.unit})"
                raise SourceError(self.path, f"{where}its page is {w:.0f} x {h:.0f} pixels{unit}, "
                                             f"but {image_name} is {width} x {height}; not imported")
        words = []
        for word in page.words:
            box = (word.box[0] * sx, word.box[1] * sy, word.box[2] * sx, word.box[3] * sy)
            words.append(replace(word, box=_on_page(self, where, word.text, box, width, height)))
        regions = []
        for region in page.regions:
            box = (region.box[0] * sx, region.box[1] * sy, region.box[2] * sx, region.box[3] * sy)
            regions.append(replace(region, box=_on_page(self, where, f"region {region.label}", box, width, height)))
        return words, regions

    def label(self, name: str, what: str) -> str | None:
        """`name` as a label, or None (said in the warnings) when Scanspan cannot name a label so."""
        from ...labels import label_name_problem

        name = " ".join(name.split())
        problem = label_name_problem(name) if name else "is empty"
        if problem is None:
            return name
        self.warnings.append(f"{self.path.name}: {what} with label {name[:40]!r} not imported: the label {problem}")
        return None


def _on_page(file: WordsFile, where: str, text: str, box: Box, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    slack_x, slack_y = max(2.0, width * EDGE_TOLERANCE), max(2.0, height * EDGE_TOLERANCE)
    if (not all(math.isfinite(v) for v in box) or x1 < x0 or y1 < y0 or x0 < -slack_x or y0 < -slack_y
            or x1 > width + slack_x or y1 > height + slack_y):
        raise SourceError(file.path, f"{where}the box of word {text[:40]!r} ({x0:g}, {y0:g}, {x1:g}, {y1:g}) "
                                     f"lies outside the {width} x {height} page; not imported")
    return (min(max(x0, 0.0), width), min(max(y0, 0.0), height), min(max(x1, 0.0), width), min(max(y1, 0.0), height))


def split_words(text: str, box: Box) -> list[tuple[str, Box]]:
    """A text with spaces (a PAGE line without words, an ALTO string of two) as words, each with its
    share of the box by its characters: the file gives no better place for them."""
    parts = text.split()
    if len(parts) <= 1:
        return [(text.strip(), box)] if text.strip() else []
    total = len(" ".join(parts))
    x0, y0, x1, y1 = box
    per_char = (x1 - x0) / total
    result = []
    at = 0
    for part in parts:
        result.append((part, (x0 + at * per_char, y0, x0 + (at + len(part)) * per_char, y1)))
        at += len(part) + 1
    return result


def word_runs(tagged: list[list[str]]) -> list[tuple[str, int, int]]:
    """(tag, first, last) of each run of consecutive words (by index) carrying the same tag: one span each,
    so that a tag a file gives every mention of a name becomes a span per mention."""
    runs: list[tuple[str, int, int]] = []
    open_runs: dict[str, int] = {}  # tag -> its run's index in `runs`
    for index, tags in enumerate(tagged):
        for tag in dict.fromkeys(tags):
            at = open_runs.get(tag)
            if at is not None and runs[at][2] == index - 1:
                runs[at] = (tag, runs[at][1], index)
            else:
                open_runs[tag] = len(runs)
                runs.append((tag, index, index))
    return runs


_CUSTOM = re.compile(r"([^\s{}]+)\s*\{([^}]*)\}")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape(text: str) -> str:
    """Transkribus's \\uXXXX escapes in a custom attribute's names and values."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def custom_tags(value: str) -> list[tuple[str, dict[str, str]]]:
    """A PAGE custom attribute ("readingOrder {index:0;} person {offset:0; length:5;}") as (name, fields) in order."""
    tags = []
    for match in _CUSTOM.finditer(value or ""):
        fields = {}
        for item in match.group(2).split(";"):
            key, colon, field_value = item.partition(":")
            if colon and key.strip():
                fields[key.strip()] = unescape(field_value.strip())
        tags.append((unescape(match.group(1)), fields))
    return tags
