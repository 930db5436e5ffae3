"""Scanspan's headless core: import, OCR, text layer, annotations, storage and exports."""

from importlib.resources import files
from pathlib import Path

__version__ = "0.1.0"


def resources_path() -> Path:
    """Folder of the shipped data files (label schema, sample letter)."""
    return Path(str(files("annotations.resources")))
