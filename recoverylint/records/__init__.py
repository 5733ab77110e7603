"""Records of finished runs, read from what engines and teams write down:
one reader module per record format, each producing `model.ExecutionRecord`."""
