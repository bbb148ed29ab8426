"""Catalogue items, the location tree, lots, balances, the stock ledger and stocktakes.

Revision ID: 0002_stock
Revises: 0001_foundation
Create Date: 2026-11-28 21:20:33.405146

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_stock'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=24), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('piece', 'set', 'pair', 'box', 'pack', 'bag', 'bottle', 'drum', 'jerrycan', 'can', 'roll', 'metre', 'litre', 'kg', 'sheet', 'cylinder', name='unit', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('tracking', sa.Enum('bulk', 'lot', 'serial', name='tracking', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('shelf_life_days', sa.Integer(), nullable=True),
    sa.Column('expiry_required', sa.Boolean(), nullable=False),
    sa.Column('min_level', sa.Integer(), nullable=False),
    sa.Column('inspection_interval_days', sa.Integer(), nullable=True),
    sa.Column('storage_temp', sa.String(length=40), nullable=False),
    sa.Column('hazard_class', sa.String(length=80), nullable=False),
    sa.Column('spec', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('inspection_interval_days IS NULL OR inspection_interval_days > 0', name=op.f('ck_items_inspection_interval_positive')),
    sa.CheckConstraint('min_level >= 0', name=op.f('ck_items_min_level_not_negative')),
    sa.CheckConstraint('shelf_life_days IS NULL OR shelf_life_days > 0', name=op.f('ck_items_shelf_life_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_items_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('sku', name=op.f('uq_items_sku'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_category_id'), ['category_id'], unique=False)

    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('depot', 'zone', 'rack', 'bin', 'kit', 'quarantine', 'deployed', name='location_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('plan_x_m', sa.Float(), nullable=True),
    sa.Column('plan_y_m', sa.Float(), nullable=True),
    sa.Column('plan_width_m', sa.Float(), nullable=True),
    sa.Column('plan_depth_m', sa.Float(), nullable=True),
    sa.Column('footprint_m2', sa.Float(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('area_m2 IS NULL OR area_m2 > 0', name=op.f('ck_locations_area_positive')),
    sa.CheckConstraint('footprint_m2 IS NULL OR footprint_m2 > 0', name=op.f('ck_locations_footprint_positive')),
    sa.CheckConstraint('plan_depth_m IS NULL OR plan_depth_m > 0', name=op.f('ck_locations_plan_depth_positive')),
    sa.CheckConstraint('plan_width_m IS NULL OR plan_width_m > 0', name=op.f('ck_locations_plan_width_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_locations_category_id_categories')),
    sa.ForeignKeyConstraint(['parent_id'], ['locations.id'], name=op.f('fk_locations_parent_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('code', name=op.f('uq_locations_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_locations_path'), ['path'], unique=False)

    op.create_table('lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('next_inspection_on', sa.Date(), nullable=True),
    sa.Column('supplier_ref', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_lots_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lots'))
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lots_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index('uq_lots_item_id_code', ['item_id', 'code'], unique=True)

    op.create_table('stocktakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('counting', 'submitted', 'approved', 'cancelled', name='stocktake_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_stocktakes_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stocktakes_location_id_locations')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stocktakes_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes'))
    )
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktakes_location_id'), ['location_id'], unique=False)
        batch_op.create_index('uq_stocktakes_open_location', ['location_id'], unique=True, sqlite_where=sa.text("status IN ('counting', 'submitted')"), postgresql_where=sa.text("status IN ('counting', 'submitted')"))

    op.create_table('stock_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_stock_balances_quantity_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_balances_item_id_items')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_balances_location_id_locations')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_stock_balances_lot_id_lots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_balances'))
    )
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_balances_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_balances_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index('uq_stock_balances_item_location_bulk', ['item_id', 'location_id'], unique=True, sqlite_where=sa.text('lot_id IS NULL'), postgresql_where=sa.text('lot_id IS NULL'))
        batch_op.create_index('uq_stock_balances_item_lot_location', ['item_id', 'lot_id', 'location_id'], unique=True, sqlite_where=sa.text('lot_id IS NOT NULL'), postgresql_where=sa.text('lot_id IS NOT NULL'))

    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('receive', 'move', 'issue', 'adjust', 'count', 'into_kit', 'out_of_kit', 'consume', 'dispose', name='movement_reason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('purpose', sa.Enum('incident', 'drill', 'training', 'maintenance', 'transfer', 'other', name='issue_purpose', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('from_location_id IS NOT NULL OR to_location_id IS NOT NULL', name=op.f('ck_stock_movements_has_a_location')),
    sa.CheckConstraint('from_location_id IS NULL OR to_location_id IS NULL OR from_location_id <> to_location_id', name=op.f('ck_stock_movements_moves_somewhere')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_movements_quantity_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stock_movements_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_stock_movements_from_location_id_locations')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_movements_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_stock_movements_lot_id_lots')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_stock_movements_to_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_from_location_id'), ['from_location_id'], unique=False)
        batch_op.create_index('ix_stock_movements_item_id_at', ['item_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_reason'), ['reason'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_to_location_id'), ['to_location_id'], unique=False)

    op.create_table('stocktake_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stocktake_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('counted IS NULL OR counted >= 0', name=op.f('ck_stocktake_lines_counted_not_negative')),
    sa.CheckConstraint('expected >= 0', name=op.f('ck_stocktake_lines_expected_not_negative')),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_stocktake_lines_counted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stocktake_lines_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_stocktake_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'], name=op.f('fk_stocktake_lines_stocktake_id_stocktakes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_lines'))
    )
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktake_lines_stocktake_id'), ['stocktake_id'], unique=False)
        batch_op.create_index('uq_stocktake_lines_bulk', ['stocktake_id', 'item_id'], unique=True, sqlite_where=sa.text('lot_id IS NULL'), postgresql_where=sa.text('lot_id IS NULL'))
        batch_op.create_index('uq_stocktake_lines_lot', ['stocktake_id', 'item_id', 'lot_id'], unique=True, sqlite_where=sa.text('lot_id IS NOT NULL'), postgresql_where=sa.text('lot_id IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('stocktake_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_stocktake_lines_lot', sqlite_where=sa.text('lot_id IS NOT NULL'), postgresql_where=sa.text('lot_id IS NOT NULL'))
        batch_op.drop_index('uq_stocktake_lines_bulk', sqlite_where=sa.text('lot_id IS NULL'), postgresql_where=sa.text('lot_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_stocktake_lines_stocktake_id'))

    op.drop_table('stocktake_lines')
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_to_location_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_reason'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_lot_id'))
        batch_op.drop_index('ix_stock_movements_item_id_at')
        batch_op.drop_index(batch_op.f('ix_stock_movements_from_location_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_at'))

    op.drop_table('stock_movements')
    with op.batch_alter_table('stock_balances', schema=None) as batch_op:
        batch_op.drop_index('uq_stock_balances_item_lot_location', sqlite_where=sa.text('lot_id IS NOT NULL'), postgresql_where=sa.text('lot_id IS NOT NULL'))
        batch_op.drop_index('uq_stock_balances_item_location_bulk', sqlite_where=sa.text('lot_id IS NULL'), postgresql_where=sa.text('lot_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_stock_balances_lot_id'))
        batch_op.drop_index(batch_op.f('ix_stock_balances_location_id'))

    op.drop_table('stock_balances')
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_index('uq_stocktakes_open_location', sqlite_where=sa.text("status IN ('counting', 'submitted')"), postgresql_where=sa.text("status IN ('counting', 'submitted')"))
        batch_op.drop_index(batch_op.f('ix_stocktakes_location_id'))

    op.drop_table('stocktakes')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index('uq_lots_item_id_code')
        batch_op.drop_index(batch_op.f('ix_lots_expires_on'))

    op.drop_table('lots')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_path'))
        batch_op.drop_index(batch_op.f('ix_locations_parent_id'))

    op.drop_table('locations')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_category_id'))

    op.drop_table('items')
