"""From a file to a page's words: sources, rendering, scan statistics, form lines, OCR, languages, reading order, archive formats, the cluster."""
