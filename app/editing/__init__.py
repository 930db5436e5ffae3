"""What the analyst selects and changes: the selection, undoable commands, word correction."""
