"""entrypoints http."""
