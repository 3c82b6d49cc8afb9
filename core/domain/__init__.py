"""Entities, value objects and errors of chirp; standard library only."""
