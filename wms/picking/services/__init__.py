"""Picking: the actions, one module per thing acted on."""
