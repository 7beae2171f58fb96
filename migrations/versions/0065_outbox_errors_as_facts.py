"""outbox errors kept as facts

Why an outbox event's last attempt failed is kept as its facts (the marked
sentence and its figures, JSON) beside the English as written, so the desk's
outbox reads it in each reader's language. Rows kept before read as written.

Revision ID: 0065
Revises: 0064
Create Date: 2026-12-07 18:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0065'
down_revision = '0064'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("last_error_facts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("last_error_facts")
