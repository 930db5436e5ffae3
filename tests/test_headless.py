"""The core is headless: importing every module of annotations/ pulls in no Qt and nothing of app/."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import json, pkgutil, sys
import annotations, annotations.resources
names = ["annotations", "annotations.resources"]
for info in pkgutil.walk_packages(annotations.__path__, "annotations."):
    names.append(info.name)
for name in names:
    __import__(name)
forbidden = sorted(
    m for m in sys.modules
    if m.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "pytestqt", "app"}
)
print(json.dumps({"imported": names, "forbidden": forbidden}))
"""


def test_every_core_module_imports_without_qt_or_app() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}  # no DISPLAY, no QT_* settings
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    # The walk really reached the core, not an empty package.
    for expected in ("annotations.cli", "annotations.importing.files", "annotations.store.project", "annotations.text.layer"):
        assert expected in result["imported"]
    assert any(name.startswith("annotations.exporters.") for name in result["imported"])
    assert result["forbidden"] == []
