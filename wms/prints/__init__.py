"""Printing: pure functions from plain dataclasses to PDF (or ZPL) bytes.

Barcodes are drawn as vector bars; nothing here imports Flask or the database.
Modules: ``barcodes`` (drawing and text helpers), ``shipping_label`` (4x6 labels,
PDF and ZPL), ``picklist``, ``sheets`` (label sheets, command sheet, badges) and
``documents`` (packing slip, discrepancy report, carrier manifest).
"""
