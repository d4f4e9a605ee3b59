"""Runs the dbt CLI (argv as for `dbt`), exiting at once when the app that started it is gone.

The app keeps this process's stdin open and never writes to it; stdin reaches end-of-file when the
app exits for any reason, kill -9 included, so dbt never outlives it (nor holds the warehouse file).
"""
import os
import sys
import threading
import time


def _exit_with_parent() -> None:
    # os.read, not sys.stdin: a thread blocked in the buffered reader makes interpreter shutdown fail.
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os._exit(143)


def _exit_when_orphaned(parent: int) -> None:
    # Belt and braces on POSIX: a changed parent id means the app died.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(143)


def main() -> None:
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    if os.name == "posix":
        threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
