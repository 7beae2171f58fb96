"""Inbound purchase orders and advance shipping notices."""
