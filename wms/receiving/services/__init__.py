"""Receiving's actions, by noun: the receive screen, where units go, the dock, undo,
put-away."""
