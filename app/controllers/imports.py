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
        w = self.window
        failed = [o.message for o in outcomes if o.status == "failed"]
        imported = [o for o in outcomes if o.status == "imported"]
        dupes = [o for o in outcomes if o.status == "duplicate"]
        if not outcomes:
            w.status_line.say("Import cancelled; files finished before that are stored", 8000)
        else:
            w.status_line.say(
                _imported(imported) + (f", {len(dupes)} already in the project" if dupes else "")
                + (f", {len(failed)} failed" if failed else "")
                + (f"; {w.importer.note}" if w.importer.note else ""), 8000)
        if failed:
            w.show_error("Some files were not imported", "\n".join(failed))
        if imported and w.navigation.page_number is None and imported[0].document is not None:
            w.navigation.show_page(imported[0].document.id, 1)
        w.importFinished.emit(outcomes)


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
