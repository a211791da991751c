"""One module per benchmark case; each exposes `run(context) -> list[Row]`."""
