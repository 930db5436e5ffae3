"""Reading the neighbouring pages' words and shapes on idle turns, so paging there costs one short frame."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from annotations.errors import ScanspanError
from annotations.records import Page
from app.project.session import ProjectSession
from app.scene.page_items import highlight_shapes, word_geometry


class NeighbourPrefetch(QObject):
    def __init__(self, session: ProjectSession, image_ready: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._image_ready = image_ready
        self._steps: list[Callable[[], object]] = []  # steps that prepare the neighbouring pages, one per idle turn
        self._timer = QTimer(self, singleShot=True, interval=30)
        self._timer.timeout.connect(self._step)
        self.held = False  # until the window has the rest of the page on screen
        session.closing.connect(self.stop)

    def cancel(self) -> None:
        """Another page is being shown: nothing is prepared until it is on screen."""
        self._steps = []
        self.held = True

    def stop(self) -> None:
        """The project closes: nothing more is read from it."""
        self.cancel()
        self._timer.stop()

    def plan(self, page: Page) -> None:
        """Read the next and previous pages' words and shapes while the analyst reads this one,
        in small steps on idle turns of the event loop."""
        pages = self.session.pages(page.document_id)
        steps: list[Callable[[], object]] = []
        for number in (page.number + 1, page.number - 1):
            if 1 <= number <= len(pages):
                steps += self._steps_for(pages[number - 1])
        self._steps = steps
        self.start(held=self.held)

    def _steps_for(self, near: Page) -> list[Callable[[], object]]:
        return [
            *self.session.page_data_steps(near),
            lambda: word_geometry(self.session.page_data(near)),
            lambda: self.session.spans_on_page(near),
            lambda: highlight_shapes(self.session.spans_on_page(near), self.session.page_data(near)),
        ]

    def start(self, held: bool = False) -> None:
        """Let the preparation start (the window calls this once the page's text and chrome are
        shown, so the two never share a turn of the event loop)."""
        self.held = held
        if self._steps and not held and self._image_ready() and not self._timer.isActive():
            self._timer.start()  # otherwise once the scan is drawn: it comes first

    def pending(self) -> int:
        """How many steps of reading are left."""
        return len(self._steps) if self._timer.isActive() else 0

    def _step(self) -> None:
        if self._steps:
            try:
                self._steps.pop(0)()
            except ScanspanError:
                # The project could not be read (its process stopped for good): reading ahead is
                # only a saving, and the change follower tells the analyst and closes the project.
                self.stop()
                return
            self._timer.start()
