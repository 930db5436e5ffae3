"""What an import's outcome shows: a status message, the files that failed, its first document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.importing.files import Outcome

if TYPE_CHECKING:
    from app.main_window import MainWindow


class ImportOutcome:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def on_finished(self, outcomes: list[Outcome]) -> None:
        self._show(outcomes, False)

    def on_cancelled(self, outcomes: list[Outcome]) -> None:
        """Cancelled: what was stored before stays, and the status bar counts it and what was left."""
        self._show(outcomes, True)

    def _show(self, outcomes: list[Outcome], cancelled: bool) -> None:
        w = self.window
        failed = [o.message for o in outcomes if o.status == "failed"]
        imported = [o for o in outcomes if o.status == "imported"]
        dupes = [o for o in outcomes if o.status == "duplicate"]
        others = (f", {len(dupes)} already in the project" if dupes else "") + (f", {len(failed)} failed" if failed else "")
        if cancelled and not outcomes:  # stopped before it knew its files
            w.status_line.say("Import cancelled; files finished before that are stored", 8000)
        elif cancelled:
            left = sum(o.status == "cancelled" for o in outcomes)
            w.status_line.say(f"Import cancelled: {len(imported)} of {_files(len(outcomes))} imported{others}"
                              + (f"; {left} not imported" if left else ""), 8000)
        else:
            w.status_line.say(_imported(imported) + others + (f"; {w.importer.note}" if w.importer.note else ""), 8000)
        if failed:
            w.show_error("Some files were not imported", "\n".join(failed))
        if imported and w.navigation.page_number is None and imported[0].document is not None:
            w.navigation.show_page(imported[0].document.id, 1)
        w.importFinished.emit(outcomes)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def _imported(imported: list[Outcome]) -> str:
    """One file by its name and how its words were read; several by their count."""
    if len(imported) != 1:
        return f"Imported {len(imported)} files"
    outcome = imported[0]
    name = outcome.document.name if outcome.document is not None else outcome.path.name
    pages = outcome.document.page_count if outcome.document is not None else 0
    layer = outcome.pages_text_layer
    how = outcome.words_source or ("OCR" if not layer else "text layer" if layer == pages
                                   else f"{pages - layer} by OCR, {layer} from the text layer")
    return f"Imported {name} ({pages} page{'s' if pages != 1 else ''}, {how})"
