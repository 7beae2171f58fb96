"""outbox: pending stock figures indexed on their own

The worker claims the pending stock figures first each round, in due order,
so a shop's figure never waits behind other events; this partial index is
the walk that claim takes.

Revision ID: 0061
Revises: 0060
Create Date: 2026-12-07 13:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0061'
down_revision = '0060'
branch_labels = None
depends_on = None

PENDING_FIGURE = "status = 'pending' AND event_type = 'availability.changed'"


def upgrade():
    op.create_index(
        'ix_outbox_pending_figures',
        'outbox_events',
        ['next_attempt_at', 'id'],
        postgresql_where=sa.text(PENDING_FIGURE),
        sqlite_where=sa.text(PENDING_FIGURE),
    )


def downgrade():
    op.drop_index('ix_outbox_pending_figures', table_name='outbox_events')
