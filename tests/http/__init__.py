"""tests http."""
