"""Sales channels: everything the warehouse says to and hears from the shops that sell its stock.

This package sits at the bottom of the house: it imports nothing from the rest of
``wms``, so the core and every area may use it. ``connectors`` speaks each shop
platform's own language (Shopify, WooCommerce, PrestaShop) in plain dataclasses.
"""
