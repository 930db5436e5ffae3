"""Regions: labelled rectangles on a page, stored beside the spans of the same project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import NotFoundError, ProjectError
from ..records import Box, Label, Page, Region, box_iou
from .rows import fetch_one, in_filters, insert_row, normalise_box, now, region_row

SAME_REGION = 0.9
"""Intersection over union above which a suggested region is the one rejected before."""


class RegionStore:
    """The region methods of `Project`, and the row writes spans share; each write is one transaction."""

    db: Database

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def label(self, name: str) -> Label: ...

        def annotation_label(self, name: str) -> Label: ...

        def page(self, page_id: int) -> Page: ...

        def _accept_relations_of(self, kind: str, annotation_ids: Sequence[int], annotator: str | None) -> None: ...

        def _suggest_relations_of(self, kind: str, annotation_id: int, annotator: str | None) -> None: ...

        def _restore_relations_of(self, kind: str, annotation_id: int) -> None: ...

    def add_region(
        self,
        page_id: int,
        label: str,
        box: Box,
        text: str = "",
        note: str = "",
        annotator: str = "",
        region_id: int | None = None,
        source: str = "",
        suggested: bool = False,
        stamps: tuple[str, str] | None = None,
    ) -> Region:
        """Add a region; `suggested` marks a pre-annotation from `source` not yet accepted (as for spans);
        `region_id` and `stamps` (created, updated) restore a deleted one as it was (undo)."""
        with self.write():
            new_id = self._insert_region(page_id, label, box, text, note, annotator, region_id, source, suggested,
                                         stamps)
        return self.region(new_id)

    def _insert_region(self, page_id: int, label: str, box: Box, text: str, note: str, annotator: str,
                       region_id: int | None, source: str, suggested: bool,
                       stamps: tuple[str, str] | None = None) -> int:
        label = self.annotation_label(label).name  # the stored spelling of a name typed another way
        box = self._region_box(page_id, box)
        x0, y0, x1, y1 = box
        stamp = now()
        created, updated = stamps or (stamp, stamp)
        row = {
            "page_id": page_id,
            "label": label,
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "text": text,
            "note": note,
            "annotator": annotator,
            "created": created,
            "updated": updated,
            "source": source,
            "suggested": int(suggested),
        }
        if region_id is not None:
            if self.db.execute("select 1 from regions where id = ?", [region_id]).fetchone():
                raise ProjectError(f"region {region_id} exists already")
            row["id"] = region_id
        return insert_row(self.db.conn, "regions", row)

    def _region_box(self, page_id: int, box: Box) -> Box:
        """The box normalised, or a ProjectError when it is empty or not on the page."""
        page = self.page(page_id)
        box = normalise_box(box)
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            raise ProjectError("a region needs a non-empty rectangle")
        if x0 < 0 or y0 < 0 or x1 > page.width or y1 > page.height:
            raise ProjectError(
                f"region {[round(v) for v in box]} lies outside page {page.number} "
                f"(0,0 - {page.width},{page.height} page pixels)"
            )
        return box

    def region(self, region_id: int) -> Region:
        row = fetch_one(self.db.conn, "select * from regions where id = ?", [region_id])
        if row is None:
            raise NotFoundError(f"no region {region_id}")
        return region_row(row)

    def regions(self, doc_id: int | None = None) -> list[Region]:
        sql = "select r.* from regions r join pages p on p.id = r.page_id"
        if doc_id is None:
            rows = self.db.query(sql + " order by p.document_id, p.number, r.id")
        else:
            rows = self.db.query(sql + " where p.document_id = ? order by p.number, r.id", [doc_id])
        return [region_row(r) for r in rows]

    def update_region(
        self,
        region_id: int,
        *,
        label: str | None = None,
        box: Box | None = None,
        text: str | None = None,
        note: str | None = None,
    ) -> Region:
        with self.write():  # checked and changed in one transaction: another process may delete it
            region = self.region(region_id)
            changes: dict[str, object] = {}
            if label is not None:
                label = self.annotation_label(label).name
                changes["label"] = label
            if box is not None:
                changes.update(zip(("x0", "y0", "x1", "y1"), self._region_box(region.page_id, box)))
            if text is not None:
                changes["text"] = text
            if note is not None:
                changes["note"] = note
            self._update_row("regions", region_id, changes)
        return self.region(region_id)

    def accept_region(self, region_id: int) -> Region:
        """Turn a suggested region into an ordinary one; its source stays recorded."""
        with self.write():
            self.region(region_id)
            self._update_row("regions", region_id, {"suggested": 0})
            self._accept_relations_of("region", [region_id], None)
        return self.region(region_id)

    # -- suggested regions: reviewed like suggested spans ------------------------------------------

    def region_suggestions(
        self, doc_ids: Sequence[int] | None = None, labels: Sequence[str] | None = None,
        sources: Sequence[str] | None = None, region_ids: Sequence[int] | None = None,
    ) -> list[tuple[Region, int, int]]:
        """Suggested regions not yet accepted, with their document id and page number, by document,
        page and id; filters combine."""
        sql = ("select r.*, p.document_id as document_id, p.number as page_number from regions r "
               "join pages p on p.id = r.page_id where r.suggested = 1")
        where, params = in_filters([("p.document_id", doc_ids), ("r.label", labels), ("r.source", sources),
                                    ("r.id", region_ids)])
        rows = self.db.query(sql + where + " order by p.document_id, p.number, r.id", params)
        return [(region_row(r), r["document_id"], r["page_number"]) for r in rows]

    def accept_region_suggestions(self, region_ids: Sequence[int], annotator: str | None = None) -> list[Region]:
        """Accept these suggested regions in one transaction (with `annotator`, they become that analyst's)."""
        with self.write():
            regions = self._suggested_regions(region_ids)
            for region in regions:
                changes: dict[str, object] = {"suggested": 0}
                if annotator is not None:
                    changes["annotator"] = annotator
                self._update_row("regions", region.id, changes)
            self._accept_relations_of("region", [r.id for r in regions], annotator)
        return self.regions_by_id([r.id for r in regions])

    def reject_region_suggestions(self, region_ids: Sequence[int]) -> list[Region]:
        """Remove these suggested regions and remember them as rejected; returns them (for an undo)."""
        with self.write():
            regions = self._suggested_regions(region_ids)
            for region in regions:
                insert_row(self.db.conn, "region_rejections", {
                    "page_id": region.page_id, "label": region.label, **dict(zip(("x0", "y0", "x1", "y1"), region.box)),
                    "source": region.source, "region_id": region.id, "created": now()})
                self.db.execute("delete from regions where id = ?", [region.id])
        return regions

    def restore_rejected_region(self, region: Region) -> Region:
        """Undo a rejection: the suggestion comes back under its old id and is no longer remembered as rejected."""
        self.restore_rejected_regions([region])
        return self.region(region.id)

    def restore_rejected_regions(self, regions: Sequence[Region]) -> None:
        """Undo the rejection of these suggested regions (as `restore_rejected_region`), in one transaction."""
        with self.write():
            for region in regions:
                self.db.execute("delete from region_rejections where region_id = ? and page_id = ?",
                                [region.id, region.page_id])
                self._insert_region(region.page_id, region.label, region.box, region.text, region.note,
                                    region.annotator, region.id, region.source, True)
                self._restore_relations_of("region", region.id)

    def unaccept_region(self, region_id: int, annotator: str | None = None) -> Region:
        """Undo an acceptance: the region is a suggestion again (with `annotator`, whose it was before)."""
        with self.write():
            self._unaccept_region(region_id, annotator)
        return self.region(region_id)

    def unaccept_regions(self, region_ids: Sequence[int], annotators: Mapping[int, str] | None = None) -> None:
        """Undo the acceptance of these regions, each back with the annotator it had (`annotators`; none:
        ""), all in one transaction."""
        with self.write():
            for region_id in region_ids:
                self._unaccept_region(region_id, (annotators or {}).get(region_id, ""))

    def _unaccept_region(self, region_id: int, annotator: str | None) -> None:
        self.region(region_id)
        changes: dict[str, object] = {"suggested": 1}
        if annotator is not None:
            changes["annotator"] = annotator
        self._update_row("regions", region_id, changes)
        self._suggest_relations_of("region", region_id, annotator)

    def region_rejected(self, page_id: int, label: str, box: Box) -> bool:
        """Whether a suggestion of `label` at about `box` on this page was rejected before.

        About: a suggester run again on a page whose OCR changed a little puts the box a few pixels off.
        """
        rows = self.db.execute("select x0, y0, x1, y1 from region_rejections where page_id = ? and label = ?",
                               [page_id, label]).fetchall()
        return any(box_iou(box, tuple(row)) >= SAME_REGION for row in rows)

    def _suggested_regions(self, region_ids: Sequence[int]) -> list[Region]:
        regions = []
        for region_id in dict.fromkeys(region_ids):
            row = fetch_one(self.db.conn, "select * from regions where id = ?", [region_id])
            if row is None or not row["suggested"]:
                raise NotFoundError(f"no suggested region {region_id} (accepted, rejected or never made)")
            regions.append(region_row(row))
        return regions

    def delete_region(self, region_id: int) -> Region:
        """Delete a region and its relations (relations_removed_with("region", id) has them for an undo)."""
        with self.write():
            region = self.region(region_id)
            self._delete_row("regions", region_id)
        return region

    def regions_by_id(self, region_ids: Sequence[int]) -> list[Region]:
        """The regions of these ids that exist, in id order."""
        ids = list(region_ids)
        if not ids:
            return []
        rows = self.db.query(f"select * from regions where id in ({', '.join('?' * len(ids))}) order by id", ids)
        return [region_row(r) for r in rows]

    def _update_row(self, table: str, row_id: int, changes: dict[str, object]) -> None:
        """One transaction that changes an annotation and stamps it as updated."""
        if changes:
            with self.write():
                self.db.execute(
                    f"update {table} set {', '.join(f'{k} = ?' for k in changes)}, updated = ? where id = ?",
                    [*changes.values(), now(), row_id],
                )

    def _delete_row(self, table: str, row_id: int) -> None:
        with self.write():
            self.db.execute(f"delete from {table} where id = ?", [row_id])

