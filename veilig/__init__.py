"""Cross-cutting pieces every package of veilig uses: the exception hierarchy and the settings.

The product itself lives in ``flows`` (questionnaire and engine), ``storage`` (database),
``analytics`` (batch results) and ``bot`` (channels and the command line).
"""

__version__ = "0.1.0"
