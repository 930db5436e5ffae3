"""Boxes of one page and label, asked which lie at about a given box (IoU), in one array operation per ask."""

from __future__ import annotations

import numpy as np

from ..records import Box


class NearBoxes:
    """A set of boxes with ids; `near(box)` gives the ids of those whose IoU with `box` is at least `threshold`.

    A merge asks once per incoming region or rejection: an array keeps that linear in the boxes held, where
    a Python loop over them made a page of thousands of each take minutes.
    """

    def __init__(self, boxes: list[tuple[int, Box]], threshold: float) -> None:
        self.threshold = threshold
        self.ids: np.ndarray = np.array([i for i, _ in boxes], dtype=np.int64)
        self.boxes: np.ndarray = np.array([b for _, b in boxes], dtype=np.float64).reshape(-1, 4)

    def near(self, box: Box) -> list[int]:
        if not len(self.ids):
            return []
        b = self.boxes
        w = np.minimum(b[:, 2], box[2]) - np.maximum(b[:, 0], box[0])
        h = np.minimum(b[:, 3], box[3]) - np.maximum(b[:, 1], box[1])
        inter = np.where((w > 0) & (h > 0), w * h, 0.0)
        union = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) + (box[2] - box[0]) * (box[3] - box[1]) - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = np.where(union > 0, inter / union, 0.0)
        return [int(i) for i in self.ids[iou >= self.threshold]]

    def remove(self, idents: list[int]) -> None:
        keep = ~np.isin(self.ids, idents)
        self.ids, self.boxes = self.ids[keep], self.boxes[keep]
