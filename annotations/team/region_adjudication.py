"""Where two analysts' regions differ on a page, grouped into disagreements to settle into the adjudicated layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..layers import is_adjudicated
from ..records import REGION_IOU, Box, Region, box_iou

if TYPE_CHECKING:
    from ..store import Project


@dataclass(frozen=True)
class RegionDisagreement:
    """Regions of a and b on one page that overlap, transitively.

    `kind`: "only a" or "only b" (the other drew nothing there), "label" (the same boxes, within
    REGION_IOU, under other labels), "boundary" (overlapping boxes that do not match), or "" when
    both drew the same regions. `extent` is the union of the boxes: with the page, it is how the
    decision is remembered.
    """

    document_id: int
    page_id: int
    extent: Box
    a: tuple[Region, ...]
    b: tuple[Region, ...]
    kind: str

    @property
    def agreed(self) -> bool:
        return not self.kind


def _matched(a: list[Region], b: list[Region], same_label: bool) -> bool:
    """Whether a and b pair off one to one, each pair within REGION_IOU (and of one label if asked)."""
    if len(a) != len(b):
        return False
    left = list(b)
    for region in sorted(a, key=lambda g: g.box):
        best = max(left, key=lambda g: box_iou(region.box, g.box), default=None)
        if best is None or box_iou(region.box, best.box) < REGION_IOU or (same_label and best.label != region.label):
            return False
        left.remove(best)
    return True


def _kind(a: list[Region], b: list[Region]) -> str:
    if not b:
        return "only a"
    if not a:
        return "only b"
    if _matched(a, b, same_label=True):
        return ""
    return "label" if _matched(a, b, same_label=False) else "boundary"


def _union(regions: list[Region]) -> Box:
    return (min(g.box[0] for g in regions), min(g.box[1] for g in regions),
            max(g.box[2] for g in regions), max(g.box[3] for g in regions))


def region_stretches(project: Project, doc_id: int, a: str, b: str) -> list[RegionDisagreement]:
    """Every group of overlapping regions a or b drew, page by page, agreed ones included.

    Only what each analyst drew counts: suggestions not accepted and adjudicated regions do not.
    """
    pages = {p.id: p.number for p in project.pages(doc_id)}
    drawn = [g for g in project.regions(doc_id)
             if not g.suggested and not is_adjudicated(g) and g.annotator in (a, b)]
    result = []
    for page_id in sorted({g.page_id for g in drawn}, key=pages.__getitem__):
        on_page = [g for g in drawn if g.page_id == page_id]
        groups: list[list[Region]] = []
        for region in sorted(on_page, key=lambda g: (g.box[1], g.box[0], g.id)):
            touching = [grp for grp in groups if any(box_iou(region.box, g.box) > 0 for g in grp)]
            merged = [region, *(g for grp in touching for g in grp)]
            groups = [grp for grp in groups if grp not in touching] + [merged]
        for group in sorted(groups, key=lambda grp: _union(grp)[1::-1]):
            mine = sorted((g for g in group if g.annotator == a), key=lambda g: g.id)
            theirs = sorted((g for g in group if g.annotator == b), key=lambda g: g.id)
            result.append(RegionDisagreement(doc_id, page_id, _union(group), tuple(mine), tuple(theirs),
                                             _kind(mine, theirs)))
    return result


def open_region_disagreements(project: Project, doc_id: int, a: str, b: str) -> list[RegionDisagreement]:
    """The groups of regions a and b disagree on that nobody has settled yet."""
    done = project.settled_regions(doc_id, a, b)
    return [d for d in region_stretches(project, doc_id, a, b) if not d.agreed and (d.page_id, d.extent) not in done]


def adopt_agreed_regions(project: Project, doc_id: int, a: str, b: str, adjudicator: str) -> int:
    """Copy every group both drew alike (a's boxes) into the adjudicated layer (once); how many groups."""
    done = project.settled_regions(doc_id, a, b)
    count = 0
    for group in region_stretches(project, doc_id, a, b):
        if group.agreed and (group.page_id, group.extent) not in done:
            project.settle_regions(group, a, b, "agreed", adjudicator, group.a)
            count += 1
    return count


def keep_regions(project: Project, group: RegionDisagreement, a: str, b: str, decision: str,
                 adjudicator: str) -> list[Region]:
    """Settle a disagreement: keep a's regions, b's, both or neither in the adjudicated layer."""
    choices = {"a": group.a, "b": group.b, "both": group.a + group.b, "neither": ()}
    if decision not in choices:
        raise ProjectError(f"keep a, b, both or neither, not {decision!r}")
    return project.settle_regions(group, a, b, decision, adjudicator, choices[decision])
