"""OCR on a Dask cluster: pages go to the workers' tesseract, words come back; this process stores them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import Cancelled, OcrError, ScanspanError
from . import ocr

if TYPE_CHECKING:
    from PIL import Image

    from ..records import RawWord

CLUSTER_ENV = "SCANSPAN_CLUSTER"
"""The scheduler's address when `--cluster` is not given, e.g. tcp://10.0.0.5:8786."""

CONNECT_TIMEOUT = 20.0
"""Seconds to reach the scheduler before the import gives up."""

_POLL = 0.2
"""How often a page waiting for the cluster checks for cancel, in seconds."""


# -- what runs on a worker (importable there: the worker has scanspan and tesseract installed) ------

def remote_ready(settings: ocr.OcrSettings) -> str:
    """On a worker: tesseract and the languages are there; its version."""
    ocr.check_ready(settings)
    return ocr.engine_version()


def remote_ocr(image: Image.Image, settings: ocr.OcrSettings, plan: ocr.OcrPlan | None,
               timeout: float | None) -> tuple[str, list[RawWord]]:
    """On a worker: one page through the same pipeline as a local import (the plan, decided by the
    importing process, is in the cache key); (version, words)."""
    return ocr.engine_version(), ocr.ocr_image(image, settings, plan, timeout=timeout)


# -- this side ---------------------------------------------------------------------------------

class ClusterOcr:
    """Tesseract on a Dask cluster's workers, behind the same calls as the local `ocr` module.

    A page whose worker dies is run again on another worker by the scheduler (after a few such
    deaths Dask gives up on it, and its file fails); results only ever come back whole.
    """

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ScanspanError(
                "--cluster needs Dask's distributed package (pip install 'scanspan[cluster]')"
            ) from None
        from distributed.comm.addressing import parse_address, parse_host_port

        self.address = address
        try:
            # Checked before a Client exists: one made from a bad address spends 40 s closing itself.
            parse_host_port(parse_address(address)[1])
        except ValueError as exc:
            raise ScanspanError(f"{address!r} is not a Dask scheduler address like tcp://HOST:8786 ({exc})") from None
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ScanspanError(f"cannot reach the Dask cluster at {address} ({exc})") from None
        self._version: str | None = None

    def slots(self) -> int:
        """Pages the cluster can OCR at once: its workers' threads (at least one)."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def check_ready(self, settings: ocr.OcrSettings) -> None:
        if not self.client.scheduler_info(n_workers=-1).get("workers"):
            # Pages would wait for a worker that may never come.
            raise OcrError(f"the Dask cluster at {self.address} has no workers")
        try:
            self._version = self.client.submit(remote_ready, settings, pure=False).result()
        except ScanspanError as exc:
            raise OcrError(f"on the cluster at {self.address}: {exc}") from None

    def engine_version(self) -> str:
        if self._version is None:
            raise OcrError("the cluster's tesseract was not checked before use")
        return self._version

    def ocr_image(self, image: Image.Image, settings: ocr.OcrSettings, plan: ocr.OcrPlan | None = None,
                  timeout: float | None = None, cancel: Callable[[], bool] | None = None) -> list[RawWord]:
        future = self.client.submit(remote_ocr, image, settings, plan, timeout, pure=False)
        del image
        try:
            # Polled by its state, not by result(timeout=...): distributed's timed wait can end without a
            # result or an error when a worker dies meanwhile (an UnboundLocalError inside its sync).
            while not future.done():
                if cancel is not None and cancel():
                    raise Cancelled()
                time.sleep(_POLL)
            version, words = future.result()
        except ScanspanError as exc:
            raise type(exc)(f"on the cluster: {exc}") from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":  # Dask gave up after the page's workers kept dying
                raise OcrError(f"on the cluster: the workers OCRing this page kept dying ({exc})") from None
            raise
        finally:
            if not future.done():
                future.cancel()
        if version != self._version:
            # The cache key names the engine version: a mixed cluster would store results under the wrong one.
            raise OcrError(f"the cluster's workers run different tesseract versions ({self._version}, {version})")
        return words

    def close(self) -> None:
        self.client.close()


def cluster_address(option: str | None) -> str | None:
    """The cluster to use: the option, else $SCANSPAN_CLUSTER, else none (OCR here)."""
    return option or os.environ.get(CLUSTER_ENV) or None


