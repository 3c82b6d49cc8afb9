"""Install, start, check and stop chirp's backing servers on 127.0.0.1 (`scripts/services`)."""
