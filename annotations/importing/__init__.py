"""Documents into a project: importing files and folders, and reading documents again."""
