"""shop stock keys: which handle each mapped shop item's stock figure is set by

A mapped shop item learns the platform's key for its stock figure (Shopify's
inventory item id, WooCommerce's product or product/variation, PrestaShop's
product/combination), so a figure is pushed without asking the shop first; and
a product's mappings on a channel are found by product.

Revision ID: 0058
Revises: 0057
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0058'
down_revision = '0057'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channel_products') as batch:
        batch.add_column(
            sa.Column('stock_key', sa.String(length=64), nullable=False, server_default='')
        )
        batch.create_index('ix_channel_products_product', ['channel_id', 'product_id'])


def downgrade():
    with op.batch_alter_table('channel_products') as batch:
        batch.drop_index('ix_channel_products_product')
        batch.drop_column('stock_key')
