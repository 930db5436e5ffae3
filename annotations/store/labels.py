"""Labels: the project's tag set, and renaming, recolouring and deleting them in one transaction each."""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import NotFoundError, ProjectError
from ..records import LABEL_KINDS, Label
from ..text.normalise import same_text
from .rows import fetch_one

LABEL_FIELDS = ("name", "color", "shortcut", "description", "layer")
RELATION_FIELDS = ("directed", "from_labels", "to_labels")
"""What else a relation label's edit may change: its direction and the labels each end may carry."""
_SELECT = "select name, color, shortcut, description, layer, kind, directed, ends from labels"


def _label(row: dict) -> Label:
    ends = json.loads(row["ends"]) if row["ends"] else {}
    return Label(row["name"], row["color"], row["shortcut"], row["description"] or "", row["layer"],
                 kind=row["kind"] or "span", directed=bool(row["directed"]),
                 from_labels=tuple(ends.get("from", ())), to_labels=tuple(ends.get("to", ())))


def _ends(label: Label) -> str:
    """The `ends` column: which labels a relation's ends may carry, "" when any."""
    if not (label.from_labels or label.to_labels):
        return ""
    return json.dumps({"from": list(label.from_labels), "to": list(label.to_labels)})


class LabelStore:
    """The label methods of `Project`; each write is one transaction."""

    db: Database

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

    def labels(self) -> list[Label]:
        return [_label(r) for r in self.db.query(_SELECT + " order by position, name")]

    def label(self, name: str) -> Label:
        row = fetch_one(self.db.conn, _SELECT + " where name = ?", [name])
        if row is not None:
            return _label(row)
        # "café" typed with a combining accent (as macOS and some keyboards write it) is the same label.
        same = [label for label in self.labels() if same_text(label.name, name)]
        if len(same) == 1:
            return same[0]
        raise NotFoundError(f"no label {name!r}; labels are: {', '.join(label.name for label in self.labels())}")

    def _spelling(self, name: str) -> str:
        """`name` as the project writes it, where a label is that name written the other way; else as given."""
        try:
            return self.label(name).name
        except NotFoundError:
            return name

    def annotation_label(self, name: str) -> Label:
        """The label of that name, which must tag spans and regions (not link them)."""
        label = self.label(name)
        if label.is_relation:
            raise ProjectError(f"label {name!r} is a relation label; it links annotations, it does not tag them")
        return label

    def label_usage(self) -> dict[str, int]:
        """How many spans, regions or relations carry each label (labels nobody uses are 0)."""
        used = {label.name: 0 for label in self.labels()}
        for table in ("spans", "regions", "relations"):
            for name, count in self.db.execute(f"select label, count(*) from {table} group by label"):
                used[name] = used.get(name, 0) + count
        return used

    def add_label(self, label: Label, position: int | None = None) -> Label:
        """Add a label, last in the palette or at `position` (where a deleted one is put back)."""
        from ..labels import check_label_name

        check_label_name(label.name)  # the one rule for label names, wherever they enter
        self._check_color(label.color)
        self._check_layer(label.layer)
        with self.write():  # checked inside: another process may add the same label meanwhile
            self._check_free(label.name, label.shortcut)
            label = replace(label, from_labels=tuple(self._spelling(n) for n in label.from_labels),
                            to_labels=tuple(self._spelling(n) for n in label.to_labels))
            self._check_kind(label)
            if position is None:
                position = self.db.execute("select coalesce(max(position), -1) + 1 from labels").fetchone()[0]
            self._insert_label(label, position)
        return label

    def update_label(self, name: str, changes: Mapping[str, object]) -> Label:
        """Change a label's name, colour, shortcut key, description or layer, and a relation label's
        direction (`directed`) or the labels its ends may carry (`from_labels`, `to_labels`): the keys
        of `changes`, all in one transaction; returns it as it now is.

        A rename moves every span, region and relation carrying the old name in the same transaction
        (they reference the label by name), so no reader ever sees an annotation without its label;
        relation labels that name it as an end's label name it anew. Ends that some of the label's
        relations do not fit are refused.
        """
        from ..labels import check_label_name

        unknown = set(changes) - set(LABEL_FIELDS) - set(RELATION_FIELDS)
        if unknown:
            raise ProjectError(f"a label has no {', '.join(sorted(unknown))}")
        name = self._spelling(name)  # the rows below are found by the name as stored
        new_name = changes.get("name", name)
        if new_name != name:
            check_label_name(new_name)  # type: ignore[arg-type]
        if "color" in changes:
            self._check_color(changes["color"])
        if "layer" in changes:
            self._check_layer(changes["layer"])
        with self.write():
            old = self.label(name)
            merged = {field: changes.get(field, getattr(old, field)) for field in LABEL_FIELDS}
            merged["description"] = merged["description"] or ""
            self._check_free(new_name if new_name != name else None,
                             merged["shortcut"] if merged["shortcut"] != old.shortcut else None, besides=name)
            if new_name == name:
                self.db.execute("update labels set color = ?, shortcut = ?, description = ?, layer = ? where name = ?",
                                [merged["color"], merged["shortcut"], merged["description"], merged["layer"], name])
            else:
                # The new row first: spans and regions reference labels.name (foreign keys are on).
                self.db.execute(
                    "insert into labels (name, color, shortcut, description, layer, position) "
                    "select ?, ?, ?, ?, ?, position from labels where name = ?",
                    [new_name, merged["color"], merged["shortcut"], merged["description"], merged["layer"], name])
                self.db.execute("update labels set kind = ?, directed = ?, ends = ? where name = ?",
                                [old.kind, int(old.directed), _ends(old), new_name])
                for table in ("spans", "regions", "relations"):
                    self.db.execute(f"update {table} set label = ? where label = ?", [new_name, name])
                self.db.execute("delete from labels where name = ?", [name])
                self._rename_in_ends(name, new_name)
            shape = self._relation_shape(replace(old, name=new_name), changes)
            if any(field in changes for field in RELATION_FIELDS):
                self.db.execute("update labels set directed = ?, ends = ? where name = ?",
                                [int(shape.directed), _ends(shape), new_name])
        return replace(shape, color=merged["color"], shortcut=merged["shortcut"],  # type: ignore[arg-type]
                       description=merged["description"], layer=merged["layer"])  # type: ignore[arg-type]

    def _relation_shape(self, label: Label, changes: Mapping[str, object]) -> Label:
        """The label with the direction and ends `changes` gives it, checked against the label's relations."""
        if not any(field in changes for field in RELATION_FIELDS):
            return label
        if not label.is_relation:
            raise ProjectError(f"label {label.name!r} tags spans and regions: only a relation label has a direction "
                               "and ends")
        directed = changes.get("directed", label.directed)
        if not isinstance(directed, bool):
            raise ProjectError(f"a relation label is directed or not, not {directed!r}")
        ends: dict[str, tuple[str, ...]] = {}
        for side in ("from_labels", "to_labels"):
            value = changes.get(side, getattr(label, side))
            if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
                raise ProjectError(f"a relation label's {side} are label names, not {value!r}")
            ends[side] = tuple(dict.fromkeys(self._spelling(n) for n in value))
        shaped = replace(label, directed=directed, **ends)
        self._check_kind(shaped)
        for side, allowed in (("from", shaped.from_labels), ("to", shaped.to_labels)):
            if not allowed:
                continue
            end_label = (f"(case r.{side}_kind when 'span' then (select label from spans where id = r.{side}_id) "
                         f"else (select label from regions where id = r.{side}_id) end)")
            count = self.db.execute(
                f"select count(*) from relations r where r.label = ? and {end_label} not in "
                f"({', '.join('?' * len(allowed))})", [label.name, *allowed]).fetchone()[0]
            if count:
                raise ProjectError(f"{count} {label.name} relation{'s go' if count != 1 else ' goes'} {side} a label "
                                   f"other than {' or '.join(allowed)}; change or delete "
                                   f"{'them' if count != 1 else 'it'} first")
        return shaped

    def delete_label(self, name: str) -> tuple[Label, int]:
        """Delete a label no span, region or relation uses; returns it and its place, to put it back."""
        with self.write():
            label = self.label(name)
            name = label.name  # the rows below are found by the name as stored
            position = self.db.execute("select position from labels where name = ?", [name]).fetchone()[0]
            used = [(self.db.execute(f"select count(*) from {table} where label = ?", [name]).fetchone()[0], what)
                    for table, what in (("spans", "span"), ("regions", "region"), ("relations", "relation"))]
            if any(n for n, _ in used):
                parts = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in used if n]
                raise ProjectError(
                    f"label {name!r} is used by {' and '.join(parts)}; relabel or delete them first")
            naming = [other.name for other in self.labels() if name in other.from_labels + other.to_labels]
            if naming:
                raise ProjectError(f"label {name!r} is an end of relation label {', '.join(map(repr, naming))}; "
                                   "change that first")
            self.db.execute("delete from labels where name = ?", [name])
        return label, position

    def _check_kind(self, label: Label) -> None:
        if label.kind not in LABEL_KINDS:
            raise ProjectError(f"a label's kind is one of {', '.join(LABEL_KINDS)}, not {label.kind!r}")
        if label.kind != "relation" and (label.from_labels or label.to_labels):
            raise ProjectError(f"label {label.name!r}: only a relation label has ends")
        for end in label.from_labels + label.to_labels:
            known = fetch_one(self.db.conn, "select kind from labels where name = ?", [end])
            if known is None:
                raise NotFoundError(f"relation label {label.name!r}: no label {end!r} for its ends")
            if known["kind"] != "span":
                raise ProjectError(f"relation label {label.name!r}: its ends are spans or regions, "
                                   f"and {end!r} is a relation label")

    def _rename_in_ends(self, old: str, new: str) -> None:
        for other in self.labels():
            if old in other.from_labels + other.to_labels:
                renamed = Label(other.name, other.color, kind=other.kind,
                                from_labels=tuple(new if n == old else n for n in other.from_labels),
                                to_labels=tuple(new if n == old else n for n in other.to_labels))
                self.db.execute("update labels set ends = ? where name = ?", [_ends(renamed), other.name])

    def _check_free(self, name: str | None, shortcut: str | None, besides: str | None = None) -> None:
        others = [label for label in self.labels() if label.name != besides]
        taken_name = next((other.name for other in others if name is not None and same_text(other.name, name)), None)
        if taken_name is not None:
            raise ProjectError(f"label {taken_name!r} already exists")
        if shortcut:
            taken = next((other for other in others if other.shortcut == shortcut), None)
            if taken is not None:
                raise ProjectError(f"shortcut {shortcut!r} is already used by {taken.name!r}")

    @staticmethod
    def _check_color(color: object) -> None:
        from ..labels import color_problem

        problem = color_problem(color)
        if problem:
            raise ProjectError(f"label colour {color!r} {problem}")

    @staticmethod
    def _check_layer(layer: object) -> None:
        from ..labels import layer_problem

        problem = layer_problem(layer)
        if problem:
            raise ProjectError(f"label layer {layer!r} {problem}")

    def _insert_label(self, label: Label, position: int) -> None:
        self.db["labels"].insert(
            {
                "name": label.name,
                "color": label.color,
                "shortcut": label.shortcut,
                "description": label.description,
                "layer": label.layer,
                "position": position,
                "kind": label.kind,
                "directed": int(label.directed),
                "ends": _ends(label),
            }
        )
