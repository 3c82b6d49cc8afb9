"""Fault and soak suite: cache outages under mixed load, on private cache servers."""
