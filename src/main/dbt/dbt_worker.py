"""A long-lived dbt process for the app's refresh loop.

Starting Python and importing dbt costs about 2.5 s per run; this process pays it once, keeps the
parsed manifest while the project, profile environment and vars stay the same, and closes every
DuckDB connection after each run so the warehouse file is free between runs.

Protocol: one JSON object per line on stdin, {"args": [...], "env": {...}, "cache_key": "..."};
stdout carries dbt's own JSON log lines (the args include --log-format json), then one line
{"worker_done": true, "success": bool, "error": str | null} per request.

The app holds stdin open; when it closes (the app exited or was killed, even with kill -9) this
process exits at once, mid-run included, so it never outlives the app or keeps the warehouse locked.
"""
import json
import os
import queue
import sys
import threading
import time


def _read_requests(requests: "queue.Queue[str]") -> None:
    try:
        for line in sys.stdin:
            requests.put(line)
    except Exception:
        pass
    os._exit(0)


def _exit_when_orphaned(parent: int) -> None:
    # Belt and braces on POSIX: a changed parent id means the app died.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main() -> None:
    requests: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=_read_requests, args=(requests,), daemon=True).start()
    if os.name == "posix":
        threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    from dbt.cli.main import dbtRunner

    def emit(payload: str) -> None:
        sys.stdout.write(payload + "\n")
        sys.stdout.flush()

    manifest = None
    manifest_key = None
    previous_env: dict = {}
    while True:
        line = requests.get()
        if not line.strip():
            continue
        request = json.loads(line)
        # A request's environment replaces the previous request's, so nothing (a key, say) lingers.
        env = request.get("env", {})
        for name in previous_env:
            if name not in env:
                os.environ.pop(name, None)
        os.environ.update(env)
        previous_env = env
        args = request["args"]
        error = None
        success = False
        try:
            key = request.get("cache_key")
            if manifest is None or key != manifest_key:
                parsed = dbtRunner().invoke(["parse", *request.get("parse_args", [])])
                manifest = parsed.result if parsed.success else None
                manifest_key = key if parsed.success else None
            # With --log-format json in args, dbt itself writes its JSON log lines to stdout.
            result = dbtRunner(manifest=manifest).invoke(args)
            success = bool(result.success)
            if result.exception is not None:
                error = str(result.exception)
        except Exception as exc:  # Reported to the app, which shows it and keeps the last good numbers.
            error = f"{type(exc).__name__}: {exc}"
            manifest = None
        finally:
            try:
                from dbt.adapters.duckdb.connections import DuckDBConnectionManager

                DuckDBConnectionManager.close_all_connections()
            except Exception:
                pass
        emit(json.dumps({"worker_done": True, "success": success, "error": error}))


if __name__ == "__main__":
    main()
