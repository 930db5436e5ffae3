"""The window's dialogs: help, export, import settings."""
