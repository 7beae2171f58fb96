"""The bottom of the house: plain building blocks every layer may use.

Time, domain errors, column types, what a scanned string is, money, and the
numbers people read (W-10001, R-10001, WV-00001). Nothing here imports Flask,
the database session or any other part of ``wms``.
"""
