"""a shop order's link to its warehouse order is checked at commit

A new shop order's row is written with the warehouse order's id it will have
(taken from the orders' sequence) before that order is written, in the same
transaction: the foreign key is checked when the transaction commits.

Revision ID: 0064
Revises: 0063
Create Date: 2026-12-10 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0064'
down_revision = '0063'
branch_labels = None
depends_on = None

FK = 'fk_shop_orders_order_id_orders'


def upgrade():
    with op.batch_alter_table('shop_orders') as batch:
        batch.drop_constraint(FK, type_='foreignkey')
        batch.create_foreign_key(
            FK, 'orders', ['order_id'], ['id'], deferrable=True, initially='DEFERRED'
        )


def downgrade():
    with op.batch_alter_table('shop_orders') as batch:
        batch.drop_constraint(FK, type_='foreignkey')
        batch.create_foreign_key(FK, 'orders', ['order_id'], ['id'])
