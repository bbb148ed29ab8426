"""List indexes: the ledger's reason and location filters ordered by time.

The single-column indexes on reason, from_location_id and to_location_id become (column, at): the
ledger's first page of one reason or one place is then read in index order instead of sorting every
matching row (at a million movements, a reason's page went from about 300 ms to a few ms).

Revision ID: 0010_list_indexes
Revises: 0009_box_states
Create Date: 2026-11-29 16:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_list_indexes'
down_revision = '0009_box_states'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movements_from_location_id')
        batch_op.drop_index('ix_stock_movements_reason')
        batch_op.drop_index('ix_stock_movements_to_location_id')
        batch_op.create_index('ix_stock_movements_from_location_id_at', ['from_location_id', 'at'], unique=False)
        batch_op.create_index('ix_stock_movements_reason_at', ['reason', 'at'], unique=False)
        batch_op.create_index('ix_stock_movements_to_location_id_at', ['to_location_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movements_to_location_id_at')
        batch_op.drop_index('ix_stock_movements_reason_at')
        batch_op.drop_index('ix_stock_movements_from_location_id_at')
        batch_op.create_index('ix_stock_movements_to_location_id', ['to_location_id'], unique=False)
        batch_op.create_index('ix_stock_movements_reason', ['reason'], unique=False)
        batch_op.create_index('ix_stock_movements_from_location_id', ['from_location_id'], unique=False)
