"""shop channel reports: what a product import or a reconciliation found

Each product import (the shop's items matched to products by SKU) and each
reconciliation (the shop's figures read back and the drift corrected) leaves a
report on the shop's page: a sentence and its rows.

Revision ID: 0059
Revises: 0058
Create Date: 2026-12-07 12:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0059'
down_revision = '0058'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'channel_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('failed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_channel_reports_latest', 'channel_reports', ['channel_id', 'kind', 'created_at']
    )


def downgrade():
    op.drop_index('ix_channel_reports_latest', table_name='channel_reports')
    op.drop_table('channel_reports')
