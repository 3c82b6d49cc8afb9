"""The ports: one Protocol per outside need, speaking domain types only."""
