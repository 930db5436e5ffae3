"""Fixtures for the GUI tests: the real main window on a copy of an OCRed sample project.

The sample letter is imported (real tesseract) once per session into a template project file;
each test gets its own copy, its own QSettings file and its own data folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Set by the test configuration, before pytest-qt creates the QApplication: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from gui_helpers import open_window  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from annotations.cli.demo import apply_sample_tags, sample_pdf  # noqa: E402
from annotations.importing.files import ImportOptions, import_into  # noqa: E402
from annotations.store import Project  # noqa: E402
from app.main_window import MainWindow  # noqa: E402
from app.settings import Settings  # noqa: E402

# The offscreen platform cannot resize a native window to its size hints and says so once per
# window as a Qt warning; that is the test platform's limit, not ours, so only it is ignored.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample letter OCRed once, untagged; never changed (tests copy it)."""
    path = tmp_path_factory.mktemp("template") / "sample.scanspan"
    with Project(path) as project:
        (outcome,) = import_into(project, [sample_pdf()], ImportOptions(jobs=2))
        assert outcome.status == "imported", outcome.message
    return path


@pytest.fixture(scope="session")
def tagged_template(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with the demo's spans and the signature region."""
    path = tmp_path_factory.mktemp("tagged") / "tagged.scanspan"
    shutil.copy(sample_template, path)
    with Project(path) as project:
        apply_sample_tags(project, project.documents()[0])
    return path


@pytest.fixture
def project_file(sample_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "letters.scanspan"
    shutil.copy(sample_template, path)
    return path


@pytest.fixture
def tagged_file(tagged_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "tagged.scanspan"
    shutil.copy(tagged_template, path)
    return path


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SCANSPAN_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_analyst("tester")  # chosen already, so the window does not ask (tests of asking clear it)
    return settings


@pytest.fixture
def window(qtbot: QtBot, settings: Settings, project_file: Path) -> Iterator[MainWindow]:
    """The real main window on a fresh copy of the OCRed sample, page 1 shown."""
    yield open_window(qtbot, settings, project_file)


@pytest.fixture
def tagged_window(qtbot: QtBot, settings: Settings, tagged_file: Path) -> Iterator[MainWindow]:
    yield open_window(qtbot, settings, tagged_file)
