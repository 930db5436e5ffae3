"""The scan is rendered lazily, off the GUI thread and out of its process, at the zoom's sharpness."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.main_window import MainWindow
from app.scene.render import CHILD


def test_a_full_resolution_render_happens_outside_the_gui_process(qtbot: QtBot, window: MainWindow) -> None:
    # MuPDF holds the GIL while it renders (~0.2 s for this scan at full resolution), so a render
    # in this process, even on a worker thread, would stall the window: it must go to the child.
    qtbot.waitUntil(CHILD.ready.is_set, timeout=30_000)
    served = CHILD.served
    window.page_view.actual_size()
    qtbot.waitUntil(window.page_view.image_ready, timeout=30_000)
    assert window.scan_image() == (1.0, 2550, 3300)  # the scan's own pixels
    assert CHILD.served > served  # rendered by the child process


def test_zooming_out_shows_a_cached_image_at_once(qtbot: QtBot, window: MainWindow) -> None:
    view = window.page_view
    view.zoom_in()
    qtbot.waitUntil(view.image_ready, timeout=30_000)
    view.fit_width()
    assert view.image_ready()  # the fit-width image is still cached: no wait, no blank page
