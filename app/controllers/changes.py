"""The project shared with other processes: follow their writes, report and flush this window's queued ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from annotations.errors import ProjectBusy, ScanspanError
from annotations.store.server import StoreStopped

if TYPE_CHECKING:
    from app.main_window import MainWindow

POLL_MS = 500
"""How often the window looks for other processes' changes to the project (one cheap query)."""
IDLE_POLL_MS = 2000
"""The same while the window is in the background."""
NOT_ANSWERING = "The project's process is not answering; nothing was done (try again when it answers)"
"""What a key, click or menu that needed the project and found its process stopped says instead."""
WAITING = "Waiting for the project's process (a long read, or another program's write)…"
"""What the status line says while the window waits for a running process's answer."""


class ChangeFollower(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.follow)

    def follow(self) -> None:
        """Take in what other processes changed in the project (the CLI, an import, another window)."""
        w = self.window
        if w.session is None:
            return
        self.timer.setInterval(POLL_MS if w.isActiveWindow() else IDLE_POLL_MS)
        try:
            w.session.poll()
            if w.status_line.currentMessage() == NOT_ANSWERING:
                w.status_line.clearMessage()  # it answers again: what was refused can be done now
        except ProjectBusy:
            # Its process is not answering (stopped, or busy with a long request): look again at
            # the next tick; edits wait in the write queue, which says so.
            return
        except StoreStopped as exc:
            # Its process died and no other could take over (the file is gone): nothing more can be
            # read or stored, so the project closes rather than answer every key with an error.
            w.close_project()
            w.show_error("The project was closed", str(exc))
        except ScanspanError as exc:
            self.timer.stop()
            w.show_error("The project stopped responding", str(exc))

    def reload(self) -> None:
        """More changed elsewhere than the window can follow one by one: read everything again."""
        w = self.window
        nav = w.navigation
        if w.session is None:
            return
        w.selection.clear()
        w.label_keys.rebuild()
        w.navigator.reload()
        doc_id, number = nav.doc_id, nav.page_number
        nav.doc_id = nav.page_number = None
        pages = w.session.pages(doc_id) if doc_id is not None else []
        if doc_id is not None and not pages:  # another program removed the document shown: show a neighbour
            ids = [d.id for d in w.session.documents()]
            after = [i for i in ids if i > doc_id] or [i for i in ids if i < doc_id][-1:]
            doc_id, number = (after[0], 1) if after else (None, None)
            pages = w.session.pages(doc_id) if doc_id is not None else []
            if doc_id is None:
                nav.forget()
                w.page_view.show_page(None)
                w.text_view.show_page(None)
                w.panel.set_document(None)
                w.enable_actions()
        if doc_id is not None and pages:
            w.panel.set_document(doc_id)
            nav.show_page(doc_id, min(number or 1, len(pages)))

    def on_busy(self, _detail: str) -> None:
        """A key, click or menu stopped at its first read because the project's process did not
        answer (see CrashHandler.busy): nothing on screen changed, and the analyst is told so."""
        self.window.status_line.say(NOT_ANSWERING, 0)

    def on_waiting(self, waiting: bool) -> None:
        """The window waits for its project's process, which is working but slow to answer (a long
        read; another program's write that this window's edit waits for). The analyst cannot be
        answered meanwhile, so the status line says why at once, painted before the wait goes on
        (no event is handled until the answer comes: keys pressed meanwhile act afterwards, each
        showing what it did)."""
        line = self.window.status_line
        if waiting:
            line.say(WAITING, 0)
            line.repaint()
        elif line.currentMessage() == WAITING:
            line.clearMessage()

    def on_writes_waiting(self, count: int) -> None:
        if count:
            self.window.status_line.say(
                f"The project is busy (another program is writing to it, or its process is not answering); {count} change"
                f"{'s' if count != 1 else ''} waiting, retrying…", 0)
        else:
            self.window.status_line.say("All changes stored", 4000)

    def on_restarted(self, stored: int, not_stored: int) -> None:
        self.window.status_line.say(
            f"The project's process stopped and was restarted; {stored} edit{'s' if stored != 1 else ''} stored, "
            f"{not_stored} not stored", 0)

    def may_close(self) -> bool:
        """Store what is queued before closing; if another program keeps the project busy, ask."""
        w = self.window
        if w.session is None or not w.session.writes.pending():
            return True
        left = w.session.writes.flush(attempts=10)
        if not left:
            return True
        answer = QMessageBox.warning(
            w, "Changes not stored yet",
            f"Another program keeps the project busy, so {left} change{'s' if left != 1 else ''} "
            "could not be stored yet. Close anyway and lose them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard
