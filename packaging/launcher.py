"""The frozen app's executable: one of Scanspan's child processes when started as one, else `scanspan`."""

import sys

from annotations.processes.pipes import run_child

if __name__ == "__main__" and not run_child(sys.argv):
    from app.entry import main

    main()
