"""scanned confirmations: what a receiver's next scan would confirm

Revision ID: 0055
Revises: 0056
Create Date: 2027-01-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0055'
down_revision = '0056'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('receiving_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirming', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('receiving_sessions', schema=None) as batch_op:
        batch_op.drop_column('confirming')
