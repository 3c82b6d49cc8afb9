"""adapters memory."""
