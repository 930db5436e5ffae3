"""The window's behaviour by responsibility: what the main window wires, between it and its parts."""
