"""Reads for the dashboard, one module by screen: tiles, lists, alerts."""
