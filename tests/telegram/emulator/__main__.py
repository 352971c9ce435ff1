"""Run the emulator as its own process: ``python -m tests.telegram.emulator --port 0``.

Prints ``listening on http://127.0.0.1:PORT`` once it accepts connections (the line a test
waits for to learn an ephemeral port), then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from .server import Emulator
from .state import DEFAULT_TOKEN


async def serve(port: int, token: str, bot_username: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with Emulator(token, port=port, bot_username=bot_username) as emulator:
        print(f"listening on {emulator.base_url}", flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Telegram Bot API emulator for tests.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only token accepted")
    parser.add_argument("--bot-username", default="veilig_test_bot")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.port, arguments.token, arguments.bot_username))


if __name__ == "__main__":
    main()
