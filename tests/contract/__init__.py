"""tests contract."""
