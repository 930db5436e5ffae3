"""Suggestions: term lists and patterns, propagation, letter parts, signatures from the ink, pre-annotation files, the model."""
