"""adapters cache."""
