"""shop channels: platform, URL, sealed credentials, and the orders they send

Channels learn which platform they are (existing ones are ``generic``, the
warehouse's own JSON API), the shop's URL, their credentials and webhook
signing secret sealed with Fernet, Shopify's location and PrestaShop's poll
cursor, and a count of deliveries refused for their signature. New tables: the
mapping of a shop's items to products, the orders each shop sent (once per
platform order id), the webhook deliveries taken (once per delivery id), and
each shop's shipping methods with the service level they ship at.

Revision ID: 0057
Revises: 0053
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0057'
down_revision = '0053'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WAITING = "state IN ('needs_attention', 'unreadable', 'refused')"


def upgrade():
    with op.batch_alter_table('channels') as batch:
        batch.add_column(
            sa.Column('platform', sa.String(length=16), nullable=False, server_default='generic')
        )
        batch.add_column(sa.Column('shop_url', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('credentials_sealed', sa.Text(), nullable=True))
        batch.add_column(sa.Column('signing_secret_sealed', sa.Text(), nullable=True))
        batch.add_column(sa.Column('location_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('poll_cursor', sa.Text(), nullable=True))
        batch.add_column(sa.Column('polled_at', sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column('bad_signatures', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('bad_signature_at', sa.DateTime(), nullable=True))

    op.create_table(
        'channel_products',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('platform_product_id', sa.String(length=32), nullable=False),
        sa.Column('platform_variant_id', sa.String(length=32), nullable=False),
        sa.Column('platform_sku', sa.String(length=100), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.ForeignKeyConstraint(['product_id'], ['products.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id',
            'platform_product_id',
            'platform_variant_id',
            name='uq_channel_products_item',
        ),
    )
    op.create_index(
        'ix_channel_products_sku', 'channel_products', ['channel_id', 'platform_sku']
    )

    op.create_table(
        'shop_orders',
        sa.Column('id', BigId, nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('platform_order_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=False),
        sa.Column('order_data', sa.JSON(), nullable=True),
        sa.Column('platform_updated_at', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'platform_order_id', name='uq_shop_orders_order'),
        sa.UniqueConstraint('order_id'),
    )
    op.create_index(
        'ix_shop_orders_waiting',
        'shop_orders',
        ['created_at'],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )

    op.create_table(
        'webhook_receipts',
        sa.Column('id', BigId, nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.String(length=128), nullable=False),
        sa.Column('topic', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'webhook_id', name='uq_webhook_receipts_delivery'),
    )
    op.create_index(
        'ix_webhook_receipts_unreadable',
        'webhook_receipts',
        ['received_at'],
        postgresql_where=sa.text("state = 'unreadable'"),
        sqlite_where=sa.text("state = 'unreadable'"),
    )

    op.create_table(
        'channel_shipping_methods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('platform_method', sa.String(length=100), nullable=False),
        sa.Column('service_level', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id', 'platform_method', name='uq_channel_shipping_methods'
        ),
    )


def downgrade():
    op.drop_table('channel_shipping_methods')
    op.drop_index('ix_webhook_receipts_unreadable', table_name='webhook_receipts')
    op.drop_table('webhook_receipts')
    op.drop_index('ix_shop_orders_waiting', table_name='shop_orders')
    op.drop_table('shop_orders')
    op.drop_index('ix_channel_products_sku', table_name='channel_products')
    op.drop_table('channel_products')
    with op.batch_alter_table('channels') as batch:
        for column in (
            'bad_signature_at',
            'bad_signatures',
            'polled_at',
            'poll_cursor',
            'location_id',
            'signing_secret_sealed',
            'credentials_sealed',
            'shop_url',
            'platform',
        ):
            batch.drop_column(column)
