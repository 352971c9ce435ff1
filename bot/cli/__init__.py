"""The ``veilig`` command line (Typer), one module per topic."""
