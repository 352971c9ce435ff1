"""The emulator as a child process, for end-to-end tests that run the bot as a process too.

async with EmulatorProcess(token) as emulator, ControlClient(emulator.base_url) as control:
    # start `veilig serve` with VEILIG_TELEGRAM_API=emulator.base_url, then:
    pupil = await control.user(3001)
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from types import TracebackType

from .state import DEFAULT_TOKEN

PROJECT_ROOT = Path(__file__).resolve().parents[3]
_BANNER = "listening on "


class EmulatorProcess:
    """Starts ``python -m tests.telegram.emulator --port 0`` and learns its port from stdout."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        cwd: Path = PROJECT_ROOT,
        startup_timeout: float = 15.0,
    ) -> None:
        self.token = token
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self.returncode: int | None = None
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> EmulatorProcess:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.telegram.emulator",
            "--port",
            "0",
            "--token",
            self.token,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), self.startup_timeout)
        except TimeoutError:
            await self._stop()
            raise
        if not line.decode().startswith(_BANNER):
            await self._stop()
            raise RuntimeError(f"the emulator did not start (exit code {self.returncode})")
        self.base_url = line.decode().removeprefix(_BANNER).strip()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()

    async def _stop(self) -> None:
        """SIGTERM, which the emulator answers by closing cleanly with exit code 0."""
        if self._process is None:
            return
        if self._process.returncode is None:
            self._process.terminate()
        self.returncode = await asyncio.wait_for(self._process.wait(), 10)
        self._process = None
