"""Starting the desktop window: the QApplication, the crash handler, and the screenshot mode."""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from annotations import __version__
from annotations.cli.common import printable
from app.crash import CrashHandler
from app.dialogs.doctor import app_icon
from app.main_window import MainWindow
from app.project.session import default_annotator
from app.scene.render import CHILD
from app.settings import Settings

SCREENSHOT_TIMEOUT = 300.0  # seconds to wait for imports and rendering before writing anyway


@dataclass
class LaunchOptions:
    project: Path | None = None
    files: list[Path] = field(default_factory=list)
    screenshot: Path | None = None
    size: tuple[int, int] = (1400, 900)
    page: int = 1
    fit: str = "width"


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Scanspan")
    app.setOrganizationName("Scanspan")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("org.scanspan.Scanspan")  # resources/desktop/org.scanspan.Scanspan.desktop
    app.setWindowIcon(app_icon())
    return app


def run(options: LaunchOptions) -> int:
    """Show the window; returns the exit status."""
    app = application()
    settings = None
    if options.screenshot is not None:
        # A screenshot run leaves the user's recent projects and window layout alone.
        ini = Path(tempfile.mkdtemp(prefix="scanspan-shot-")) / "settings.ini"
        settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
        settings.set_analyst(default_annotator())  # nobody is there to be asked
        # Rendered as later pages of a session are, by the render process (checks it works here).
        CHILD.start()
        CHILD.ready.wait(10)
    crash = CrashHandler()
    window = MainWindow(settings, crash)
    crash.parent_widget = window
    crash.install()
    try:
        if options.screenshot is not None:
            window.resize(*options.size)
        elif not window.geometry_restored:  # a first run: most of the screen, at most the default size
            screen = app.primaryScreen().availableGeometry()
            window.resize(min(options.size[0], int(screen.width() * 0.9)), min(options.size[1], int(screen.height() * 0.9)))
        opened = options.project is not None and window.open_project(options.project)
        if options.project is not None and not opened and options.screenshot is not None:
            # Nobody will see the window's message: say it here, and fail.
            print(printable(f"error: {window.last_message()}"), file=sys.stderr)
            window.close()
            return 1
        if opened:
            if options.page > 1 and window.current_page():
                doc_id, _ = window.current_page()  # type: ignore[misc]
                window.navigation.show_page(doc_id, options.page)
            if options.fit == "page" and window.current_page():
                window.page_view.fit_page()
            if options.files:
                window.import_files(options.files)
        window.show()
        # Everything alive now (Qt bindings, modules, the window) stays alive: keep it out of the
        # cyclic collector, whose full passes over it would otherwise cost frames later.
        gc.freeze()
        shot = _ScreenshotWhenSettled(window, options.screenshot, app) if options.screenshot else None
        code = app.exec()
        del shot
        return code
    finally:
        crash.uninstall()


class _ScreenshotWhenSettled:
    """Polls until imports are done and the page's scan is drawn, then grabs the window and quits."""

    def __init__(self, window: MainWindow, out: Path, app: QApplication) -> None:
        self.window = window
        self.out = out
        self.app = app
        self.started = time.monotonic()
        self.settled_since: float | None = None
        self.timer = QTimer(window, interval=50)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        settled = self.window.is_settled() and self.window.isVisible()
        now = time.monotonic()
        self.settled_since = (self.settled_since or now) if settled else None
        timed_out = now - self.started > SCREENSHOT_TIMEOUT
        if not timed_out and (self.settled_since is None or now - self.settled_since < 0.3):
            return
        self.timer.stop()
        image = self.window.grab()
        ok = image.save(str(self.out), "PNG")
        if ok:
            print(printable(f"wrote {self.out} ({image.width()}x{image.height()}; pages rendered by the render process: {CHILD.served})"))
        else:
            print(printable(f"error: could not write {self.out}"), file=sys.stderr)
        self.window.close()
        self.app.exit(0 if ok else 1)
