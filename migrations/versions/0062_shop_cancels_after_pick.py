"""shop orders: a cancel after picking began waits on the desk

An order the shop cancels once its units have started moving is kept as
``cancelled_after_pick`` until a supervisor decides; the desk's partial index
of the orders needing a person takes that state in.

Revision ID: 0062
Revises: 0061
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0062'
down_revision = '0061'
branch_labels = None
depends_on = None

BEFORE = "state IN ('needs_attention', 'unreadable', 'refused')"
AFTER = "state IN ('needs_attention', 'unreadable', 'refused', 'cancelled_after_pick')"


def _index(where):
    op.drop_index("ix_shop_orders_waiting", table_name="shop_orders")
    op.create_index(
        "ix_shop_orders_waiting",
        "shop_orders",
        ["created_at"],
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def upgrade():
    _index(AFTER)


def downgrade():
    _index(BEFORE)
