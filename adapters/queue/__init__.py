"""adapters queue."""
