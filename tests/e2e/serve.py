"""The app in a process of its own, so a browser test can freeze it (SIGSTOP) and let
it go (SIGCONT) as a hung server would: ``python -m tests.e2e.serve URL PORT INSTANCE``."""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from tests.conftest import _make_app


def main() -> None:
    url, port, instance = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    from pathlib import Path

    app = _make_app(url, Path(instance))
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("serving", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
