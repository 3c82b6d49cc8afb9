"""adapters s3."""
