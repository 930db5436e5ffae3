"""The project's own process, `python -m annotations.workers.store_process PATH WAIT`: see store/server.py."""

import sys

if __name__ == "__main__":
    # sqlite-utils imports pandas and numpy whenever they are installed (most of a second of
    # start-up); nothing in this process uses them.
    for unused in ("pandas", "numpy"):
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]
    from annotations.store.server import serve

    serve(sys.argv[1], float(sys.argv[2]))
