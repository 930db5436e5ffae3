"""Scanspan's PySide6 desktop window over the headless core."""
