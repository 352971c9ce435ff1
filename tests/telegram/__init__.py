"""Tests of the Telegram adapter's outer edge: a local Bot API emulator and its own tests."""
