"""Edits that found the project busy (another process writing), retried in order until they go through."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from PySide6.QtCore import QObject, QTimer, Signal

from annotations.errors import ProjectBusy, ScanspanError

RETRY_MS = 500


class WriteQueue(QObject):
    """Runs each write at once when it can; a busy project queues it (and every later one, to keep
    their order) and retries on a timer, so the window neither freezes nor loses the edit.

    `waiting` tells how many writes wait (0 when all went through); views follow the session's
    signals as each write lands, exactly as for a write that went through at once.
    """

    waiting = Signal(int)

    def __init__(self, parent: QObject | None = None,
                 one_change: Callable[[], AbstractContextManager[None]] = nullcontext) -> None:
        super().__init__(parent)
        # Each write runs as one change of the project's process: once stored, the reads after it
        # are waited for, so that a busy answer never queues a write that is already stored.
        self._one_change = one_change
        self._pending: deque[tuple[Callable[[], object], Callable[[str], None]]] = deque()
        self._timer = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._timer.timeout.connect(self._retry)

    def run(self, write: Callable[[], object], on_error: Callable[[str], None]) -> bool:
        """Write now, or queue it behind a busy project; True when it was written now.

        Any other error of a write run now is raised; of a queued write, it goes to `on_error`.
        """
        if self._pending:
            self._pending.append((write, on_error))
            self.waiting.emit(len(self._pending))
            return False
        try:
            with self._one_change():
                write()
        except ProjectBusy:
            self._pending.append((write, on_error))
            self._timer.start()
            self.waiting.emit(len(self._pending))
            return False
        return True

    def pending(self) -> int:
        return len(self._pending)

    def _retry(self) -> None:
        while self._pending:
            write, on_error = self._pending[0]
            try:
                with self._one_change():
                    write()
            except ProjectBusy:
                self._timer.start()
                return
            except ScanspanError as exc:
                on_error(str(exc))
            self._pending.popleft()
            self.waiting.emit(len(self._pending))

    def flush(self, attempts: int) -> int:
        """Try the waiting writes now, up to `attempts` times (each waits for the project a while);
        returns how many still wait (closing the window asks before giving those up)."""
        for _ in range(attempts):
            if not self._pending:
                break
            self._retry()
        return len(self._pending)

    def clear(self) -> None:
        self._timer.stop()
        self._pending.clear()
