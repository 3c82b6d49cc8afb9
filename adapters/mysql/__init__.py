"""adapters mysql."""
