"""The page-rendering child process: `python -m app.scene.render_process`. No Qt here.

MuPDF keeps Python's GIL while it renders (a letter at full resolution takes ~0.2 s), which in
the GUI process would stall the event loop however the work is threaded. In a child process it
stalls nothing. The parent writes requests on the child's stdin and reads answers on its stdout,
each a length-prefixed pickle (both ends are this program). The child keeps the last few source
files it was sent, so the parent sends a file's bytes once, not with every page. It exits when
its stdin closes, i.e. when the GUI process goes away.
"""

from __future__ import annotations

import sys
from collections import OrderedDict

from annotations.processes.pipes import receive, send

KEEP = 2  # source files the child keeps


def main() -> None:
    from annotations.errors import ScanspanError
    from annotations.ingest.render import render_page

    sources: OrderedDict[str, bytes] = OrderedDict()
    send(sys.stdout.buffer, ("ready",))
    while True:
        request = receive(sys.stdin.buffer)
        if request is None:
            return
        _, page, sha256, data, scale = request
        if data is not None:
            sources[sha256] = data
            while len(sources) > KEEP:
                sources.popitem(last=False)
        if sha256 not in sources:
            send(sys.stdout.buffer, ("need",))
            continue
        sources.move_to_end(sha256)
        try:
            image = render_page(page, sha256, sources[sha256], scale=scale).convert("RGB")
        except (ScanspanError, RuntimeError, ValueError, OSError) as exc:  # a damaged source
            send(sys.stdout.buffer, ("error", str(exc) or type(exc).__name__))
            continue
        # The pixels follow the answer raw, in the GUI's native 32-bit layout: no pickling, no
        # conversion on the GUI side.
        pixels = image.tobytes("raw", "BGRX")
        send(sys.stdout.buffer, ("ok", image.width, image.height, len(pixels)))
        sys.stdout.buffer.write(pixels)
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
