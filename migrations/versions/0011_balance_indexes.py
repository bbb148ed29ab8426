"""Balance indexes: a box's balances by item, and any item's balances.

A box's line is read as the balances at the box's place of the line's items: with (location_id,
item_id) that is one index look-up per line, where location_id alone read every balance in the box
for each line (readiness's shortfall query at N=10: about 85 ms to 30 ms). The only indexes leading
with item_id were partial (lot or no lot), which a query for an item's stock cannot use: every
per-item sum (the reachable reserve, loose stock for a shortfall) read all balances.

Plain op calls, not a batch: a batch would copy the table on SQLite and drop its triggers.

Revision ID: 0011_balance_indexes
Revises: 0010_list_indexes
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_balance_indexes'
down_revision = '0010_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_stock_balances_location_id_item_id', 'stock_balances', ['location_id', 'item_id'],
                    unique=False)
    op.drop_index('ix_stock_balances_location_id', table_name='stock_balances')
    op.create_index('ix_stock_balances_item_id', 'stock_balances', ['item_id'], unique=False)


def downgrade():
    op.drop_index('ix_stock_balances_item_id', table_name='stock_balances')
    op.create_index('ix_stock_balances_location_id', 'stock_balances', ['location_id'], unique=False)
    op.drop_index('ix_stock_balances_location_id_item_id', table_name='stock_balances')
