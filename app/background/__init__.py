"""Long work off the GUI thread: workers and the import and export controllers."""
