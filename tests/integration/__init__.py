"""Integration tests: adapters against real servers or deliberately absent ones."""
