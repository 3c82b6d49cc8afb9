"""The deep Schemathesis run (`make fuzz`): every operation, many examples, stateful links."""
