"""The application layer: every use case of veilig, once, under every channel.

Adapters (the command line, the web chat, the Telegram bot) translate their input into a call
here and the frozen result back into their output; they never touch ``storage`` or
``analytics`` themselves (``tests/test_import_direction.py`` enforces it). Each coordinator or
operator action takes an :class:`~bot.service.actors.Actor`, checks it with
:func:`~bot.service.access.require`, runs in one transaction with its audit event and returns
a frozen result; files are written by the adapter, through a callback that runs inside the
transaction where the file and the database must agree.

Modules: ``context`` (settings, database, clock: built once at start), ``actors`` and
``access`` (who may do what), ``pupils`` and ``conversation`` (the pupil's side),
``schools``, ``groups``, ``rounds``, ``codes``, ``consent``, ``coordinators``, ``results``
(reports, delivery, export, instrument evidence) and ``simulate`` (synthetic pupils).
docs/architecture.md draws the layers.
"""
