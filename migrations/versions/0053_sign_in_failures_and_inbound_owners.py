"""sign-in failures counted in the database; inbound references unique per channel

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-14 10:00:00

Existing inbounds keep their owner: those a channel posted through the API
already name it (channel_id) and stay that channel's; those with none were
made at the desk, imported or received blind, and belong to the warehouse:
no channel sees them through the API.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0053'
down_revision = '0052'
branch_labels = None
depends_on = None

WAREHOUSE_ONLY = sa.text('channel_id IS NULL')


def upgrade():
    op.create_table('sign_in_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('badge_digest', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_key', ['key', 'created_at'], unique=False)

    with op.batch_alter_table('inbounds', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inbounds_reference', type_='unique')
        batch_op.create_index('uq_inbounds_reference_channel', ['reference', 'channel_id'], unique=True)
        batch_op.create_index('uq_inbounds_reference_warehouse', ['reference'], unique=True, postgresql_where=WAREHOUSE_ONLY, sqlite_where=WAREHOUSE_ONLY)
        batch_op.create_index('ix_inbounds_channel', ['channel_id', 'id'], unique=False)


def downgrade():
    # Fails, rightly, once two channels hold the same reference.
    with op.batch_alter_table('inbounds', schema=None) as batch_op:
        batch_op.drop_index('ix_inbounds_channel')
        batch_op.drop_index('uq_inbounds_reference_warehouse', postgresql_where=WAREHOUSE_ONLY, sqlite_where=WAREHOUSE_ONLY)
        batch_op.drop_index('uq_inbounds_reference_channel')
        batch_op.create_unique_constraint('uq_inbounds_reference', ['reference'])

    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_key')

    op.drop_table('sign_in_failures')
