"""count every preorder: recount product_stock.qty_preordered from the preorder lines

Preorders of a product without a cap were not counted, so the preorder
demand shown on the desk missed them and cancelling one failed the
counter's not-negative check. Orders now count every preorder; this brings
the stored counts in line with the lines already held.

Revision ID: 0052
Revises: 0055
Create Date: 2026-12-07 03:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0052"
down_revision = "0055"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE product_stock SET qty_preordered = (
            SELECT COALESCE(SUM(order_lines.qty - order_lines.qty_cancelled), 0)
            FROM order_lines
            WHERE order_lines.product_id = product_stock.product_id
              AND order_lines.kind = 'preorder'
        )
        """
    )


def downgrade():
    # The counts are right either way; nothing to take back.
    pass
