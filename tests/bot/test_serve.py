"""``veilig serve`` as a real process: it prints its address and demo codes, answers over
HTTP, and ends cleanly (exit 0, no traceback) on SIGTERM; with --workers 2 on PostgreSQL two
processes share the port."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET, _truncate

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from bot.cli.app import main; main()", "serve", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """Read stdout until "Stop with Ctrl-C."; the URL and the demo codes printed."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Stop with Ctrl-C"):
            text = "".join(lines)
            found = re.search(r"web chat: (http://\S+)", text)
            assert found, text
            return found.group(1), re.findall(r"^  (\S{3}-\S{3}-\S{3}) ", text, re.MULTILINE)
    process.kill()
    _, err = process.communicate()
    raise AssertionError(f"veilig serve did not start: {''.join(lines)}{err}")


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.load(response))


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return err


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILIG_")}
    return {**env, "VEILIG_DATA_DIR": str(tmp_path / "data"), **extra}


def test_serve_starts_with_a_demo_school_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    process = start(environment(tmp_path), "--port", str(port))
    url, codes = wait_for_url(process)
    try:
        assert url == f"http://127.0.0.1:{port}/" and len(codes) == 5
        with urllib.request.urlopen(url, timeout=10) as page:
            assert b'<script src="/static/chat.js"' in page.read()
        first = post(url + "api/code", {"code": codes[0], "language": "nl"})
        assert first["step"]["kind"] == "intro" and first["open"]
    finally:
        stop(process)
    # The second start finds schools: no new demo school, no codes printed.
    again = start(environment(tmp_path), "--port", str(port))
    _, codes = wait_for_url(again)
    stop(again)
    assert codes == []


def test_workers_need_postgresql(tmp_path: Path) -> None:
    process = start(environment(tmp_path), "--workers", "2", "--port", str(free_port()))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "needs PostgreSQL" in err and "Traceback" not in err


@pytest.mark.postgres
def test_two_workers_share_a_port_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    asyncio.run(_truncate(postgres_url))
    env = environment(
        tmp_path, VEILIG_DATABASE_URL=postgres_url, VEILIG_SECRET_KEY=TEST_SECRET.decode()
    )
    process = start(env, "--workers", "2", "--port", str(free_port()))
    url, codes = wait_for_url(process)
    try:
        for code in codes:
            assert post(url + "api/code", {"code": code, "language": "en"})["open"]
    finally:
        stop(process)
