"""Page-addressed text: words joined into a page's text, ranges and anchors, matching, normalisation, alignment, dates, search."""
