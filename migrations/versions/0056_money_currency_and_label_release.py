"""labels keep their currency; an unconfirmed label purchase can be released

Parcels' ``label_amount_cents`` becomes ``label_amount_minor`` (minor units of
``label_currency``); return authorisations get the same two columns. Labels
bought before this kept hundredths of the rate's currency (the built-in carrier
quoted USD): they are converted with the currency's own decimals.

Revision ID: 0056
Revises: 0054
Create Date: 2026-12-07 03:40:00

"""
import json
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op
from babel.numbers import get_currency_precision

# revision identifiers, used by Alembic.
revision = '0056'
down_revision = '0054'
branch_labels = None
depends_on = None


def _currency_of(rates, rate_id):
    if isinstance(rates, str):
        try:
            rates = json.loads(rates)
        except ValueError:
            rates = []
    for rate in rates or []:
        if isinstance(rate, dict) and rate.get('rate_id') == rate_id and rate.get('currency'):
            return str(rate['currency']).upper()[:3]
    return 'USD'


def upgrade():
    op.execute('ALTER TABLE parcels RENAME COLUMN label_amount_cents TO label_amount_minor')
    op.add_column(
        'parcels',
        sa.Column('label_currency', sa.String(length=3), nullable=False, server_default=''),
    )
    op.add_column(
        'return_authorisations', sa.Column('label_amount_minor', sa.Integer(), nullable=True)
    )
    op.add_column(
        'return_authorisations',
        sa.Column('label_currency', sa.String(length=3), nullable=False, server_default=''),
    )
    parcels = sa.table(
        'parcels',
        sa.column('id', sa.Integer),
        sa.column('rates', sa.JSON),
        sa.column('rate_id', sa.String),
        sa.column('label_amount_minor', sa.Integer),
        sa.column('label_currency', sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(parcels.c.id, parcels.c.rates, parcels.c.rate_id, parcels.c.label_amount_minor)
        .where(parcels.c.label_amount_minor.is_not(None))
    ).all()
    for row in rows:
        currency = _currency_of(row.rates, row.rate_id)
        scale = Decimal(10) ** int(get_currency_precision(currency))
        minor = (Decimal(row.label_amount_minor) / 100 * scale).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        conn.execute(
            sa.update(parcels)
            .where(parcels.c.id == row.id)
            .values(label_amount_minor=int(minor), label_currency=currency)
        )


def downgrade():
    with op.batch_alter_table('return_authorisations', schema=None) as batch_op:
        batch_op.drop_column('label_currency')
        batch_op.drop_column('label_amount_minor')
    op.execute('ALTER TABLE parcels DROP COLUMN label_currency')
    op.execute('ALTER TABLE parcels RENAME COLUMN label_amount_minor TO label_amount_cents')
