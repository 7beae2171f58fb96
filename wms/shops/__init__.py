"""Shop orders: what Shopify, WooCommerce and PrestaShop send, taken in once through
the same intake as the API, and the desk's list of those that need a person."""

from wms.shops.desk import bp, connect

__all__ = ["bp", "connect"]
