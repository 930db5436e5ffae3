"""The docks around the scan: documents, OCR text, annotations, labels, the welcome page."""
