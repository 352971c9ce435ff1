"""The Telegram channel: a translator between Telegram updates and :mod:`bot.service`.

Coordinators run their school's round with commands (``staff.py``); pupils answer with a
one-time code, one question per message with buttons (``pupils.py``). ``app.py`` builds the
dispatcher, ``runner.py`` starts it (long polling or webhook routes), ``sending.py`` keeps
sends within Telegram's limits and retries them, ``keyboards.py`` and ``render.py`` turn
the engine's steps into messages. Nothing here touches storage: a pupil's place is read
from the service on every update, so a restart or a second worker loses nothing.
"""

#: The channel name the service layer keys pseudonyms and coordinators by.
CHANNEL = "telegram"
