"""Helpers shared by the test packages (servers that misbehave on purpose, waiting helpers)."""
