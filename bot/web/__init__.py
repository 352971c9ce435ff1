"""The web chat: one page and a small JSON API over :mod:`bot.service`.

Modules: ``app`` (routes and handlers), ``api`` (JSON in: validated inputs; JSON out: the
service's step views), ``security`` (headers, size and rate limits, JSON errors), ``words``
(the page's own words from the babel catalogues), ``static/`` (the page, its CSS and script;
no build step).
"""
