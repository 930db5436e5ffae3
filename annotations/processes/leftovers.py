"""Temporaries named for the process writing them, locked while it runs, and removed by a later run once it is gone."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Windows has no flock, and os.kill(pid, 0) there would end the process: nothing is locked or cleaned.
if sys.platform != "win32":
    import fcntl

# .NAME.PID.partial (backup) and .NAME.PID.HEX.tmp (exports): what a killed run leaves beside its target.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)(?:\.[0-9a-f]{8}\.tmp|\.partial)")
# How far the start time of a process read from /proc may be off (clock ticks, rounding of uptime).
_SLACK = 1.0


def hold(path: Path) -> int | None:
    """Lock the temporary file or folder `path` for as long as the descriptor returned stays open.

    A later run takes the lock to learn that the writer is gone: the kernel drops it when its holder
    dies, however it died. Waits only while a cleaning run looks at `path` (it removes only what is
    free and whose writer is gone, so never this one).
    """
    if sys.platform == "win32":
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        # A file system without flock (some network mounts): unlocked, it is never taken for a dead
        # run's, since a cleaning run cannot take its lock either; the run itself goes on.
        os.close(fd)
        return None
    return fd


def release(fd: int | None) -> None:
    """Let go of a lock taken by `hold`."""
    if fd is not None:
        os.close(fd)


def remove_dead(folder: Path, owned: Callable[[str], bool]) -> list[Path]:
    """Remove the temporaries in `folder` of the names `owned` accepts that a run killed before it finished left there.

    Only those no live process holds locked, and whose process is gone: a process with their pid
    that started after they were last written is another one that got the pid since.
    """
    removed: list[Path] = []
    if sys.platform == "win32":
        return removed
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None or not owned(match["name"]) or entry.is_symlink():
            continue
        try:
            written = entry.stat(follow_symlinks=False).st_mtime
            if _running_since(int(match["pid"]), written):
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue  # gone already (another run cleaned it), or not ours to open
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its writer still runs
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _running_since(pid: int, written: float) -> bool:
    """Whether the process `pid` is alive and started no later than `written` (so may have written it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # another user's process: it exists
    started = _start_time(pid)
    return started is None or started <= written + _SLACK


def _start_time(pid: int) -> float | None:
    # Linux only; elsewhere a live pid is taken to be the writer, which keeps a temporary too long, never too short.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, counted after the command name
    except (IndexError, ValueError):
        return None
    return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
