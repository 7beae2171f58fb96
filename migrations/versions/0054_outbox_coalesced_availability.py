"""outbox: one waiting availability figure per product and channel; claim indexes

Revision ID: 0054
Revises: 0040
Create Date: 2026-12-14 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0054'
down_revision = '0040'
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"
WAITING_AVAILABILITY = (
    "status = 'pending' AND attempts = 0 AND claimed_until IS NULL"
    " AND event_type = 'availability.changed'"
)


def upgrade():
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_aggregate')
        batch_op.create_index(
            'ix_outbox_pending_aggregate', ['channel_id', 'aggregate', 'id'], unique=False,
            postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING),
        )
    # Figures already piled up: the newest per product and channel stays, the
    # older ones are superseded (the worker would have dropped them anyway).
    op.execute(
        f"""
        UPDATE outbox_events SET status = 'superseded'
         WHERE {WAITING_AVAILABILITY}
           AND id < (SELECT max(newer.id) FROM outbox_events newer
                      WHERE newer.channel_id = outbox_events.channel_id
                        AND newer.aggregate = outbox_events.aggregate
                        AND newer.status = 'pending' AND newer.attempts = 0
                        AND newer.claimed_until IS NULL
                        AND newer.event_type = 'availability.changed')
        """
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index(
            'uq_outbox_waiting_availability', ['channel_id', 'aggregate'], unique=True,
            postgresql_where=sa.text(WAITING_AVAILABILITY),
            sqlite_where=sa.text(WAITING_AVAILABILITY),
        )


def downgrade():
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_waiting_availability')
        batch_op.drop_index('ix_outbox_pending_aggregate')
        batch_op.create_index(
            'ix_outbox_aggregate', ['channel_id', 'aggregate', 'id'], unique=False
        )
