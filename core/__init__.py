"""chirp core: the domain, its ports and its use cases; no framework or driver."""
