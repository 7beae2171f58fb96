"""sentences kept as facts: shop reports and shop orders' reasons

A shop's import or reconciliation report and a shop order's reason keep the
sentence as its facts (the marked sentence and its figures, JSON) beside the
English as written, so each reader reads them in their own language. Rows kept
before have no facts and read as they were written.

Revision ID: 0063
Revises: 0062
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0063'
down_revision = '0062'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channel_reports") as batch:
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=True))
    with op.batch_alter_table("shop_orders") as batch:
        batch.add_column(sa.Column("reason_facts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("shop_orders") as batch:
        batch.drop_column("reason_facts")
    with op.batch_alter_table("channel_reports") as batch:
        batch.drop_column("facts")
