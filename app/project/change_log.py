"""Following the project's change log: what this window and others wrote, applied to the caches and announced."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotations.records import Document
from annotations.store.changes import Change, ChangeSet
from app.project.caches import Caches

if TYPE_CHECKING:
    from app.project.session import ProjectSession


class ChangeLog:
    """Every change after the last one seen drops the caches it touched, then its signal is emitted."""

    def __init__(self, session: ProjectSession, caches: Caches) -> None:
        self._session = session
        self._caches = caches
        # The version first: a commit between the two reads is then read at the first poll.
        self._version = session.project.data_version()
        self._seen = session.project.last_change()
        self._restarts = getattr(session.project, "restarts", 0)
        self._outcomes = self._restart_outcomes()

    def poll(self) -> bool:
        """Take in what other processes wrote since the last look; cheap when they wrote nothing."""
        project = self._session.project
        version = project.data_version()
        restarts = getattr(project, "restarts", 0)
        if restarts != self._restarts:
            # A new child's connection counts data_version afresh, so an unchanged number proves
            # nothing: read everything again once.
            self._restarts, self._version = restarts, version
            self._seen = project.last_change()
            self._reset()
            waiting = self._session.writes.pending()
            left = self._session.writes.flush(attempts=1) if waiting else 0
            outcomes = self._restart_outcomes()
            stored = outcomes[0] - self._outcomes[0] + waiting - left
            self._session.restarted.emit(stored, outcomes[1] - self._outcomes[1])
            self._outcomes = outcomes
            return True
        if version == self._version:
            return False
        # Seen only once synced: a sync the project's process was too slow to answer (ProjectBusy)
        # must run again at the next poll, though no other commit will come to change the number.
        self.sync()
        self._version = version
        return True

    def _restart_outcomes(self) -> tuple[int, int]:
        """(stored, not stored) so far of the writes that found the project's process dead."""
        project = self._session.project
        return getattr(project, "stored_again", 0), getattr(project, "not_stored", 0)

    def sync(self) -> None:
        """Apply every change after the last one seen, this window's own included."""
        batch: ChangeSet = self._session.project.changes_since(self._seen)
        if batch.reset:
            self._seen = batch.last
            self._reset()
            return
        # Seen once everything the batch needs is read (a document's row may be asked for, and a
        # busy project's process may not answer): a batch given up on is read again at the next sync.
        emits = self._apply(batch) if batch.changes else []
        self._seen = batch.last
        # Caches first, signals after: a view answering one signal reads the others' state too.
        for emit in emits:
            emit()

    def _reset(self) -> None:
        self._caches.clear()
        self._session.reset.emit()

    def _apply(self, batch: ChangeSet) -> list[Callable[[], None]]:
        """Bring the caches up to the batch, and return the signals that say so."""
        session, caches = self._session, self._caches
        final: dict[tuple[str, int | None], Change] = {}
        pages: dict[tuple[str, int | None], list[Change]] = {}
        for change in batch.changes:
            key = (change.kind, change.row_id)
            final[key] = change
            pages.setdefault(key, []).append(change)
        # The one read a batch needs, made before the caches change: a process that does not answer
        # it leaves them as they were, and the batch is read again whole.
        documents = None
        if any(kind == "document" and change.op not in ("delete", "reorder") for (kind, _), change in final.items()):
            documents = {d.id: d for d in session.project.documents()}
        emits: list[Callable[[], None]] = []
        labels = False
        for (kind, row_id), change in final.items():
            for seen in pages[(kind, row_id)]:
                caches.invalidate(seen.document_id, seen.page_first, seen.page_last, words=kind == "word")
            if kind == "label":
                labels = True
            elif kind == "document" and row_id is not None:
                emits.append(self._document_changed(row_id, change.op, documents))
            elif kind == "word" and row_id is not None and row_id in batch.words:
                word = batch.words[row_id]
                emits.append(lambda word=word: session.wordChanged.emit(word))
            elif kind == "span" and row_id is not None:
                emits += self._span_changed(row_id, change, batch)
            elif kind == "region" and row_id is not None:
                emits += self._region_changed(row_id, change, batch)
            elif kind == "relation" and row_id is not None:
                emits += self._relation_changed(row_id, change, batch)
        if labels:
            caches.labels = None
            emits.insert(0, session.labelsChanged.emit)
        return emits

    def _document_changed(self, doc_id: int, op: str, documents: dict[int, Document] | None) -> Callable[[], None]:
        session = self._session
        self._caches.documents = documents
        document = documents.get(doc_id) if documents is not None else None
        if op in ("delete", "reorder") or document is None:  # a reordered document's words and spans have all moved
            return self._reset
        if op == "insert":
            self._caches.pages.pop(doc_id, None)
            # A document put back by undo has its old page ids, whose span lists may have been read
            # (empty) while it was gone; without its pages read, invalidate() cannot find them.
            self._caches.on_page.clear()
        if op == "insert":
            return lambda: session.documentAdded.emit(document)
        return lambda: session.statusChanged.emit(doc_id, document.status)

    def _span_changed(self, span_id: int, change: Change, batch: ChangeSet) -> list[Callable[[], None]]:
        session, caches = self._session, self._caches
        doc_id = change.document_id
        old = caches.spans.get(doc_id, {}).get(span_id) if doc_id is not None else None
        old_extent = caches.extents.get(doc_id, {}).get(span_id) if doc_id is not None else None
        if old_extent is not None:
            caches.invalidate(doc_id, old_extent[0], old_extent[2])
        caches.resolved.pop(span_id, None)
        current = batch.spans.get(span_id)
        if current is None:  # deleted
            if doc_id is not None:
                caches.spans.get(doc_id, {}).pop(span_id, None)
                caches.extents.get(doc_id, {}).pop(span_id, None)
            return [lambda: session.spanRemoved.emit(old)] if old is not None else []
        span, extent = current
        caches.remember(span.document_id, [(span, extent)])
        if old is None:
            return [lambda: session.spanAdded.emit(span)]
        return [lambda: session.spanChanged.emit(span)]

    def _region_changed(self, region_id: int, change: Change, batch: ChangeSet) -> list[Callable[[], None]]:
        session, caches = self._session, self._caches
        old = session.find_region(region_id)
        current = batch.regions.get(region_id)
        if current is None:
            for regions in caches.regions.values():
                regions.pop(region_id, None)
            return [lambda: session.regionRemoved.emit(old)] if old is not None else []
        doc_id = change.document_id
        if doc_id is not None and doc_id in caches.regions:
            caches.regions[doc_id][region_id] = current
        if old is None:
            return [lambda: session.regionAdded.emit(current)]
        return [lambda: session.regionChanged.emit(current)]

    def _relation_changed(self, relation_id: int, change: Change, batch: ChangeSet) -> list[Callable[[], None]]:
        session, caches = self._session, self._caches
        old = session.find_relation(relation_id)
        current = batch.relations.get(relation_id)
        if current is None:
            for relations in caches.relations.values():
                relations.pop(relation_id, None)
            return [lambda: session.relationRemoved.emit(old)] if old is not None else []
        doc_id = current.document_id
        if doc_id in caches.relations:
            caches.relations[doc_id][relation_id] = current
        elif old is None:
            return []  # a document not read yet: read whole when it is
        if old is None:
            return [lambda: session.relationAdded.emit(current)]
        return [lambda: session.relationChanged.emit(current)]
