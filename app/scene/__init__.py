"""The page scan: the view, its items and the rendering of page images."""
