"""Products, locations and stock: the catalogue and where units are."""
