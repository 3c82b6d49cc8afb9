"""chirp adapters: one package per technology, each implementing core ports."""
