"""The open project as the window sees it: cached reads, change signals, queued writes."""
