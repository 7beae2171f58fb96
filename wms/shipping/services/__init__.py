"""Packing and shipping: the actions, one module per thing acted on."""
