"""Removing a document and reading one again, as undo steps: each keeps what the document had to put it back."""

from __future__ import annotations

from annotations.store.documents import RemovedDocument
from app.editing.commands import Command, ErrorSink
from app.project.session import ProjectSession


class RemoveDocument(Command):
    """Undone, the document comes back whole under its old ids (its file, pages, words and annotations)."""

    def __init__(self, session: ProjectSession, doc_id: int, name: str, on_error: ErrorSink) -> None:
        super().__init__(session, f"Remove document {name}", on_error)
        self.doc_id = doc_id
        self.removed: RemovedDocument | None = None

    def apply(self) -> None:
        self.removed = self.session.remove_document(self.doc_id)
        self.place = None

    def revert(self) -> None:
        assert self.removed is not None
        self.session.restore_document(self.removed)
        self.place = (self.doc_id, 1)


class ReadAgain(Command):
    """A new reading made in the background: pushed once stored, so its first redo changes nothing;
    undo puts the old words and annotations back, redo the new ones."""

    def __init__(self, session: ProjectSession, before: RemovedDocument, after: RemovedDocument,
                 on_error: ErrorSink) -> None:
        super().__init__(session, f"OCR again {before.document.name}", on_error)
        self.before, self.after = before, after
        self.place = (before.document.id, None)

    def apply(self) -> None:
        if self.done_once:
            self.session.put_back_contents(self.after)

    def revert(self) -> None:
        self.session.put_back_contents(self.before)
