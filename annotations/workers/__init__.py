"""The child processes the window starts: the project's own process and the background jobs."""
