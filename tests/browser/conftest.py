"""Browser tests: a live server on 127.0.0.1 and the Chromium flags this machine needs."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from wangan.runtime import Runtime
from wangan.server import create_app

BROWSER = os.environ.get("WANGAN_BROWSER")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(rt: Runtime) -> Iterator[str]:
    port = _free_port()
    rt.settings.base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(create_app(rt), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
