"""Child processes of our own, talked to in length-prefixed pickles over their stdin and stdout."""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

_HEADER = struct.Struct("!Q")


def send(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return pickle.loads(payload)  # noqa: S301 - written by the other end, this same program


LATER = object()
"""What `Receiver.receive` answers when no whole message came in time."""


class Receiver:
    """Messages from a pipe, waited for no longer than asked: a part that came in time is kept
    for the next call, so a late answer is still read whole, in order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = bytearray()

    def receive(self, timeout: float | None = None) -> Any:
        """The next message, None at the end of the stream, or LATER when `timeout` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if len(self._buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buffer)
                if len(self._buffer) >= _HEADER.size + size:
                    payload = bytes(self._buffer[_HEADER.size:_HEADER.size + size])
                    del self._buffer[:_HEADER.size + size]
                    return pickle.loads(payload)  # noqa: S301 - written by the other end, this same program
            if deadline is not None and os.name != "nt":  # select() takes no pipes there: wait as long as it takes
                left = max(0.0, deadline - time.monotonic())
                if not select.select([self._fd], [], [], left)[0]:
                    return LATER
            chunk = os.read(self._fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk


CHILD_FLAG = "--scanspan-child"
"""A frozen build's executable has no `-m`: `scanspan --scanspan-child MODULE ARGS` stands in for it."""


def start(module: str, *args: str) -> subprocess.Popen[bytes]:
    """`python -m module args` with pipes on stdin and stdout, finding this checkout's packages.

    Started this way rather than by multiprocessing's spawn, which would first import the
    parent's main module (for the `scanspan` command: the whole CLI, a second of start-up).
    """
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    how = [CHILD_FLAG] if getattr(sys, "frozen", False) else ["-m"]
    return subprocess.Popen([sys.executable, *how, module, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)


def run_child(argv: list[str]) -> bool:
    """In a frozen build: when `argv` is `[exe, CHILD_FLAG, MODULE, ARGS...]`, run MODULE as
    `python -m` would and return True; otherwise return False (a normal command line)."""
    if len(argv) < 3 or argv[1] != CHILD_FLAG:
        return False
    import runpy

    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    return True


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """End a child started by `start`: close its input (it exits at the end of it), wait, kill if it hangs."""
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def channel() -> tuple[IO[bytes], IO[bytes]]:
    """In a child: its (input, output) streams; anything else printed goes to stderr, not the channel."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    return sys.stdin.buffer, out
