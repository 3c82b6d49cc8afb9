"""Tests of the chirp command line."""
