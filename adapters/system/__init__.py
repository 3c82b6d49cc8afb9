"""adapters system."""
