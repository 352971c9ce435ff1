"""The edges people touch: chat channels, coordinator commands and the ``veilig`` command line."""
