"""Link mode: K on a selected annotation, then a click or Tab to the other end, then a relation label's key."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotations.records import Relation
from app.editing.editor import Editor
from app.editing.selection import AnnotationRef, Selection
from app.editing.shown import annotation_on, shown_annotation
from app.project.session import ProjectSession

ENDS = ("span", "region")


class Linker(QObject):
    """Remembers the from-end while the analyst picks the other end; the relation itself is the editor's command.

    The other end is whatever annotation the selection moves to on the page shown (a click on a
    highlight or region, or Tab/Shift+Tab here), so link mode needs no clicks of its own.
    """

    message = Signal(str)  # for the status line, kept until the next message
    changed = Signal(bool)  # link mode on or off

    def __init__(self, session: ProjectSession, selection: Selection, editor: Editor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.editor = editor
        self.from_ref: AnnotationRef | None = None
        self.to_ref: AnnotationRef | None = None

    @property
    def active(self) -> bool:
        return self.from_ref is not None

    def start(self) -> None:
        """K: the selected span or region becomes the from-end."""
        if self.session.read_only:
            self.message.emit(f"This project is read-only ({self.session.read_only}); nothing can be linked")
            return
        ref = shown_annotation(self.session, self.selection)
        if ref is None or ref.kind not in ENDS:
            self.message.emit("Select a span or region on this page first, then press K to link it to another")
            return
        if not self.relation_labels():
            self.message.emit("The project has no relation label yet: add one (Label ▸ Add label…, kind relation)")
            return
        self.from_ref, self.to_ref = ref, None
        self._ask_for_other_end()
        self.changed.emit(True)

    def _ask_for_other_end(self) -> None:
        assert self.from_ref is not None
        self.message.emit(f"Link from {self._short(self.from_ref)}: click or Tab to the other end, "
                          f"then a relation label key ({self._keys()}); Esc cancels")

    def cancel(self, why: str = "Linking cancelled") -> None:
        if self.from_ref is None:
            return
        self.from_ref = self.to_ref = None
        self.message.emit(why)
        self.changed.emit(False)

    def on_annotation(self, ref: AnnotationRef | None) -> None:
        """The selection moved: in link mode, to the other end (or to nothing yet)."""
        if self.from_ref is None:
            return
        if ref is None or ref.kind not in ENDS or ref == self.from_ref:
            # Link mode goes on (a click beside everything does not end it): the selection's change
            # has just cleared the status bar, which would otherwise look as if linking had stopped.
            self.to_ref = None
            self._ask_for_other_end()
            return
        self.to_ref = ref
        self.message.emit(f"Link {self._short(self.from_ref)} → {self._short(ref)}: press a relation "
                          f"label key ({self._keys()}); Esc cancels")

    def on_page(self, page: tuple[int, int] | None) -> None:
        """Link mode acts on the page shown only: another page ends it."""
        if self.from_ref is not None and not annotation_on(self.session, self.from_ref, page):
            self.cancel("Linking cancelled: its first end is not on this page")

    def step(self, delta: int) -> bool:
        """Tab/Shift+Tab in link mode: select the next (previous) annotation of the page shown; False
        when not linking (Tab then steps through suggestions)."""
        if self.from_ref is None:
            return False
        found = self._on_page()
        if not [ref for ref in found if ref != self.from_ref]:
            self.message.emit("No other span or region on this page to link to; Esc cancels")
            return True
        # From the other end picked so far, else from the first end: Tab goes on to its neighbour.
        current = self.to_ref if self.to_ref in found else self.from_ref
        at = found.index(current) if current in found else -1
        at = (at + delta) % len(found)
        if found[at] == self.from_ref:
            at = (at + delta) % len(found)
        self.selection.set_annotation(found[at])
        return True

    def apply(self, name: str) -> bool:
        """A label key in link mode; False when not linking (the key then tags as usual)."""
        if self.from_ref is None:
            return False
        label = self.session.label(name)
        if label is None or not label.is_relation:
            self.message.emit(f"{name} tags spans and regions; press a relation label key ({self._keys()}), "
                              "or Esc to stop linking")
            return True
        if self.to_ref is None:
            self.message.emit(f"Pick the other end first: click it or Tab to it, then press {name}'s key")
            return True
        from_ref, to_ref = self.from_ref, self.to_ref
        self.from_ref = self.to_ref = None
        self.changed.emit(False)
        self.editor.link(name, from_ref, to_ref)
        return True

    def _short(self, ref: AnnotationRef) -> str:
        """An end as the status line names it while linking: label and the start of its text."""
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return "span"
            text = self.session.span_text(span)
            return f"{span.label} “{text if len(text) <= 24 else text[:23] + '…'}”"
        region = self.session.find_region(ref.id)
        return f"{region.label} region" if region is not None else "region"

    def relation_labels(self) -> list[str]:
        return [label.name for label in self.session.labels() if label.is_relation]

    def _keys(self) -> str:
        labels = [label for label in self.session.labels() if label.is_relation]
        keys = ", ".join(f"{label.shortcut} {label.name}" for label in labels if label.shortcut)
        # A relation label added without a key (from the command line) is chosen from the menu.
        if any(not label.shortcut for label in labels):
            keys += ("; or " if keys else "") + "Edit ▸ Label selection ▸ Link as"
        return keys

    def _on_page(self) -> list[AnnotationRef]:
        """The spans and regions of the page shown: the spans in reading order, then the regions from the top."""
        page_key = self.selection.page
        if page_key is None:
            return []
        page = self.session.page(*page_key)
        spans = [AnnotationRef("span", part.span.id) for part in self.session.spans_on_page(page)]
        regions = sorted(self.session.regions_on_page(page), key=lambda r: (r.box[1], r.box[0], r.id))
        return spans + [AnnotationRef("region", r.id) for r in regions]


def end_text(session: ProjectSession, end: tuple[str, int]) -> str:
    """How the table and the arrow's tooltip name one end: a span's text, or a region's label and text."""
    kind, ident = end
    if kind == "span":
        span = session.find_span(ident)
        if span is None:
            return f"span {ident}"
        text = session.span_text(span)
        return f"“{text if len(text) <= 40 else text[:39] + '…'}”"
    region = session.find_region(ident)
    if region is None:
        return f"region {ident}"
    return f"[{region.label} region{': ' + region.text if region.text else ''}]"


def relation_text(session: ProjectSession, relation: Relation) -> str:
    """"from → to" (← for a relation whose label has no direction: ↔)."""
    label = session.label(relation.label)
    arrow = "→" if label is None or label.directed else "↔"
    return f"{end_text(session, relation.from_end)} {arrow} {end_text(session, relation.to_end)}"
