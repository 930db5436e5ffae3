"""How the desktop window holds up on dense pages and long documents.

    python bench/gui.py            # builds synthetic projects in a temporary folder, prints three figures

1. Frame times on a page with 1,500 word boxes and 300 spans: opening it (scene build + first
   paint), zooming (a step + a full repaint) and scrolling (a step + a full repaint), with the
   word-box overlay on, which is the heaviest drawing. Target: every frame under 16 ms.
2. Time to show the first page (its scene and its rendered scan) of a 200-page project against a
   2-page one, each opened in a fresh process. Target: ratio at most 1.5.
3. Resident memory after paging through all 200 pages against the 2-page figure.
   Target: under the 2-page figure + 300 MB.

Pages are rendered in a child process (MuPDF holds the GIL while rendering), so the window's
frames do not wait for renders; figure 3 reports that process's memory too.

The projects are built through the core store API (Project.add_document with synthetic words and
a real PDF whose pages carry those words as text), so no OCR runs. A full repaint is measured
(viewport.repaint()), which is an upper bound: a real scroll step repaints only the exposed strip.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTH, HEIGHT, DPI = 2550, 3300, 300  # a US letter page at 300 dpi, in page pixels
COLUMNS, LINES = 25, 60  # 1,500 words on a page
DENSE_SPANS = 300


def _words(number: int) -> list:
    from annotations.records import RawWord

    rng = random.Random(number)
    words = []
    left, top = 150, 150
    cell_w = (WIDTH - 2 * left) / COLUMNS
    cell_h = (HEIGHT - 2 * top) / LINES
    for line in range(LINES):
        for col in range(COLUMNS):
            x0 = left + col * cell_w
            y0 = top + line * cell_h
            w = cell_w * rng.uniform(0.55, 0.85)
            words.append(RawWord(f"w{line:02d}{col:02d}", (x0, y0, x0 + w, y0 + cell_h * 0.6),
                                 rng.choice((rng.uniform(20, 99), 95.0, 96.0, 91.0)), line // 20 + 1, line // 5, line))
    return words


def _pdf(pages: int) -> bytes:
    """A real PDF whose page N shows the synthetic words of page N where their boxes are."""
    import pymupdf

    doc = pymupdf.open()
    scale = 72 / DPI
    for number in range(1, pages + 1):
        page = doc.new_page(width=WIDTH * scale, height=HEIGHT * scale)
        words = _words(number)
        for line in range(LINES):
            row = words[line * COLUMNS : (line + 1) * COLUMNS]
            text = "  ".join(w.text for w in row)
            x0, y0, _, y1 = row[0].box
            page.insert_text((x0 * scale, y1 * scale), text, fontname="cour", fontsize=7.2)
    return doc.tobytes(garbage=3, deflate=True)


def build(path: Path, pages: int) -> Path:
    """A project with one document of `pages` dense pages; 300 spans on page 1, 30 on the others."""
    from annotations.records import Provenance
    from annotations.store import NewPage, Project

    data = _pdf(pages)
    prov = Provenance("synthetic", "0", "eng", 3, DPI, text_layer=False)
    new_pages = [NewPage(n, WIDTH, HEIGHT, DPI, DPI, f"synthetic-{n}", prov, _words(n)) for n in range(1, pages + 1)]
    with Project(path) as project:
        doc = project.add_document(f"synthetic-{pages}.pdf", data, hashlib.sha256(data).hexdigest(), new_pages)
        labels = [label.name for label in project.labels()]
        rng = random.Random(pages)
        for page in project.pages(doc.id):
            ids = [w.id for w in project.words(page.id)]
            count = DENSE_SPANS if page.number == 1 else 30
            step = len(ids) // count
            for i in range(count):
                start = i * step + rng.randrange(0, 2)
                length = rng.choice((1, 1, 2, 3, 4, 6))
                if i % 10 == 9:  # every tenth span overlaps the one before it
                    start -= 2
                end = min(start + length - 1, len(ids) - 1)
                project.add_span(doc.id, labels[i % len(labels)], ids[start], ids[end], annotator="bench")
    return path


# -- measurements in this process -----------------------------------------------------------------


def _app():
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.settings import Settings

    app = QApplication.instance() or QApplication([])
    ini = Path(tempfile.mkdtemp(prefix="scanspan-bench-")) / "settings.ini"
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    settings.set_analyst("bench")  # the window would otherwise ask for the analyst's name
    window = MainWindow(settings)
    window.resize(1400, 900)
    window.show()
    return app, window


def _wait(app, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not settle")
        app.processEvents()
        time.sleep(0.001)


def _ms(f) -> float:
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000


def frames(path: Path) -> dict[str, list[float]]:
    app, window = _app()
    window.open_project(path)
    _wait(app, window.is_settled)
    view = window.page_view
    view.set_show_boxes(True)
    window.actions.word_boxes.setChecked(True)
    viewport = view.viewport()
    gc.freeze()  # as the application does once it is up
    out: dict[str, list[float]] = {key: [] for key in ("open", "open later", "jump later", "reopen", "paint", "zoom", "scroll")}
    for trial in range(12):  # flip between the dense page and page 2
        window.navigation.show_page(1, 2)
        _wait(app, window.is_settled)
        for _ in range(20):  # idle: the neighbouring page is prepared
            app.processEvents()
            time.sleep(0.005)
        first_visit = trial % 2 == 0
        if first_visit:
            window.session.drop_caches()  # as if jumping to a page never seen (no prefetch)
        # Frame 1: the scan's scene is built and painted; frame 2 (the next turn of the event
        # loop): the OCR text with its highlights, the navigator and the status bar.
        # Frame 1: show_page and the posted events it causes (the scene update and its paint).
        out["open" if first_visit else "reopen"].append(_ms(lambda: (window.navigation.show_page(1, 1), app.sendPostedEvents())))
        # Then every later turn of the event loop for 0.25 s: the text, the navigator, the status
        # bar, the neighbours' preparation, each with its paint. The longest turn is the frame.
        out["open later" if not first_visit else "jump later"].append(max(_turns(app, 0.25)))
        _wait(app, window.is_settled)
    for _ in range(20):
        out["paint"].append(_ms(viewport.repaint))
    centre = viewport.rect().center()
    for factor in [1.15] * 12 + [1 / 1.15] * 12:
        out["zoom"].append(_ms(lambda f=factor: (view.set_zoom(view.zoom() * f, anchor=centre), viewport.repaint())))
    view.actual_size()
    _wait(app, window.is_settled)
    bar = view.verticalScrollBar()
    bar.setValue(bar.minimum())
    for _ in range(40):
        out["scroll"].append(_ms(lambda: (bar.setValue(bar.value() + 60), viewport.repaint())))
    window.close()
    return out


def _turns(app, seconds: float) -> list[float]:
    """Milliseconds of each turn of the event loop that had work to do, over `seconds`."""
    from PySide6.QtCore import QEventLoop

    turns = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        elapsed = (time.perf_counter() - t) * 1000
        if elapsed > 0.3:
            turns.append(elapsed)
        time.sleep(0.0005)
    return turns or [0.0]


def first_page(path: Path) -> float:
    """Seconds from opening the project to its first page drawn with its scan (window already up)."""
    app, window = _app()
    _wait(app, lambda: window.isVisible())
    start = time.perf_counter()
    window.open_project(path)
    window.page_view.viewport().repaint()
    _wait(app, window.page_view.image_ready)
    window.page_view.viewport().repaint()
    elapsed = time.perf_counter() - start
    _wait(app, window.is_settled)  # the annotations list, filled after the page is on screen
    window.close()
    return elapsed


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def page_through(path: Path) -> list[float]:
    """Resident MB after showing every page of the project's first document, each fully rendered."""
    app, window = _app()
    window.open_project(path)
    _wait(app, window.is_settled)
    pages = len(window.session.pages(1))
    for number in range(1, pages + 1):
        window.navigation.show_page(1, number)
        window.page_view.viewport().repaint()
        _wait(app, window.is_settled)
    for _ in range(20):
        app.processEvents()
    from app.scene.render import CHILD

    rss = _rss_mb()
    child = _rss_mb(CHILD.proc.pid) if CHILD.proc is not None else 0.0
    window.close()
    return [rss, child]


# -- the run -----------------------------------------------------------------------------------------


def _child(kind: str, path: Path):
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                            check=True, timeout=900)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stats(values: list[float]) -> str:
    return f"median {statistics.median(values):5.1f} ms  max {max(values):5.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="Build (or reuse) the synthetic projects here.")
    parser.add_argument("--runs", type=int, default=5, help="Fresh processes per first-page measurement.")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        value = first_page(Path(path)) if kind == "first" else page_through(Path(path))
        print(json.dumps(value))
        return

    folder = args.dir or Path(tempfile.mkdtemp(prefix="scanspan-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    small, large = folder / "pages-2.scanspan", folder / "pages-200.scanspan"
    started = time.perf_counter()
    for path, pages in ((small, 2), (large, 200)):
        if not path.exists():
            build(path, pages)
    print(f"synthetic projects in {folder} ({time.perf_counter() - started:.0f} s to build or find); "
          f"pages of {COLUMNS * LINES} words, {DENSE_SPANS} spans on page 1")

    result = frames(small)
    print("\n1. Frames on the 1,500-word, 300-span page (word boxes shown, full 1400x900 window):")
    print(f"   open, frame 1: scan + highlights  {_stats(result['reopen'])}   (next/previous page: prepared while idle)")
    print(f"   open, longest later frame         {_stats(result['open later'])}   (text, navigator, next page prepared)")
    print(f"   open, frame 1 of a page never seen {_stats(result['open'])}   (a jump: its words read from the project)")
    print(f"   ... its longest later frame       {_stats(result['jump later'])}")
    print(f"   paint (full repaint, fit width)   {_stats(result['paint'])}")
    print(f"   zoom  (one step + full repaint)   {_stats(result['zoom'])}")
    print(f"   scroll (60 px + full repaint)     {_stats(result['scroll'])}")
    worst = max(max(v) for k, v in result.items() if k not in ("open", "jump later"))
    print(f"   worst frame {worst:.1f} ms (target < 16 ms); a jump to an unread page {max(result['open']):.1f} ms")

    times: dict[Path, list[float]] = {small: [], large: []}
    for _ in range(args.runs):
        for path in (small, large):
            times[path].append(_child("first", path))
    t2, t200 = statistics.median(times[small]), statistics.median(times[large])
    print(f"\n2. First page shown, median of {args.runs} fresh processes each:")
    print(f"   2 pages {t2 * 1000:6.0f} ms   200 pages {t200 * 1000:6.0f} ms   ratio {t200 / t2:.2f} (target <= 1.5)")

    (rss2, child2), (rss200, child200) = _child("rss", small), _child("rss", large)
    print("\n3. Resident memory after paging through every page (the window's process; its render process apart):")
    print(f"   2 pages {rss2:6.0f} MB   200 pages {rss200:6.0f} MB   difference {rss200 - rss2:+.0f} MB (target < +300 MB)")
    print(f"   render process: 2 pages {child2:.0f} MB, 200 pages {child200:.0f} MB; "
          f"both processes together {rss200 + child200 - rss2 - child2:+.0f} MB")


if __name__ == "__main__":
    main()
