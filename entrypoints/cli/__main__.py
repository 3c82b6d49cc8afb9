"""`python -m entrypoints.cli`: the chirp command (how a worker starts its sibling processes)."""

from entrypoints.cli.launch import main

main()
