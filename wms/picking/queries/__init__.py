"""Picking: reads for the handheld, the desk and the actions, one module per use."""
