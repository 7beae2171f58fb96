"""Keeping stock true: the actions, one module per thing acted on."""
