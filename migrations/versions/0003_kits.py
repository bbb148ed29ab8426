"""Disaster modules, box templates with content lines, boxes and their history.

Revision ID: 0003_kits
Revises: 0002_stock
Create Date: 2026-11-28 23:21:31.972643

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_kits'
down_revision = '0002_stock'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_modules')),
    sa.UniqueConstraint('code', name=op.f('uq_modules_code'))
    )
    op.create_table('kit_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('box_type', sa.Enum('pallet_box', 'case', 'bag', 'cabinet', 'cylinder_rack', name='box_type', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('width_m', sa.Float(), nullable=True),
    sa.Column('depth_m', sa.Float(), nullable=True),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('depth_m IS NULL OR depth_m > 0', name=op.f('ck_kit_templates_depth_positive')),
    sa.CheckConstraint('weight_kg IS NULL OR weight_kg > 0', name=op.f('ck_kit_templates_weight_positive')),
    sa.CheckConstraint('width_m IS NULL OR width_m > 0', name=op.f('ck_kit_templates_width_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_kit_templates_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_templates')),
    sa.UniqueConstraint('code', name=op.f('uq_kit_templates_code'))
    )
    with op.batch_alter_table('kit_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_templates_category_id'), ['category_id'], unique=False)

    op.create_table('kit_template_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('par_quantity', sa.Integer(), nullable=False),
    sa.Column('min_shelf_days', sa.Integer(), nullable=False),
    sa.Column('optional', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint('min_shelf_days >= 0', name=op.f('ck_kit_template_lines_min_shelf_not_negative')),
    sa.CheckConstraint('par_quantity > 0', name=op.f('ck_kit_template_lines_par_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_kit_template_lines_item_id_items')),
    sa.ForeignKeyConstraint(['template_id'], ['kit_templates.id'], name=op.f('fk_kit_template_lines_template_id_kit_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_template_lines'))
    )
    with op.batch_alter_table('kit_template_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_template_lines_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kit_template_lines_template_id'), ['template_id'], unique=False)
        batch_op.create_index('uq_kit_template_lines_template_item', ['template_id', 'item_id'], unique=True)

    op.create_table('kits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('home_location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('assembling', 'ready', 'short', 'deployed', 'returned', 'restocking', 'quarantined', 'retired', name='kit_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_location_id'], ['locations.id'], name=op.f('fk_kits_home_location_id_locations')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_kits_location_id_locations')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_kits_module_id_modules')),
    sa.ForeignKeyConstraint(['template_id'], ['kit_templates.id'], name=op.f('fk_kits_template_id_kit_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kits')),
    sa.UniqueConstraint('code', name=op.f('uq_kits_code')),
    sa.UniqueConstraint('location_id', name=op.f('uq_kits_location_id'))
    )
    with op.batch_alter_table('kits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kits_home_location_id'), ['home_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kits_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kits_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_kits_template_id'), ['template_id'], unique=False)

    op.create_table('module_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('boxes_required', sa.Integer(), nullable=False),
    sa.CheckConstraint('boxes_required > 0', name=op.f('ck_module_requirements_boxes_required_positive')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_requirements_module_id_modules')),
    sa.ForeignKeyConstraint(['template_id'], ['kit_templates.id'], name=op.f('fk_module_requirements_template_id_kit_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_requirements'))
    )
    with op.batch_alter_table('module_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_requirements_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_requirements_template_id'), ['template_id'], unique=False)
        batch_op.create_index('uq_module_requirements_module_template', ['module_id', 'template_id'], unique=True)

    op.create_table('kit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('from_status', sa.Enum('assembling', 'ready', 'short', 'deployed', 'returned', 'restocking', 'quarantined', 'retired', name='kit_event_from', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('assembling', 'ready', 'short', 'deployed', 'returned', 'restocking', 'quarantined', 'retired', name='kit_event_to', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('outcome', sa.Enum('passed', 'defects', 'failed', name='inspection_outcome', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_kit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_kit_events_kit_id_kits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_events'))
    )
    with op.batch_alter_table('kit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kit_events_kit_id'), ['kit_id'], unique=False)

    op.create_table('kit_line_substitutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_kit_line_substitutes_item_id_items')),
    sa.ForeignKeyConstraint(['line_id'], ['kit_template_lines.id'], name=op.f('fk_kit_line_substitutes_line_id_kit_template_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_line_substitutes'))
    )
    with op.batch_alter_table('kit_line_substitutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_line_substitutes_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kit_line_substitutes_line_id'), ['line_id'], unique=False)
        batch_op.create_index('uq_kit_line_substitutes_line_item', ['line_id', 'item_id'], unique=True)



def downgrade():
    with op.batch_alter_table('kit_line_substitutes', schema=None) as batch_op:
        batch_op.drop_index('uq_kit_line_substitutes_line_item')
        batch_op.drop_index(batch_op.f('ix_kit_line_substitutes_line_id'))
        batch_op.drop_index(batch_op.f('ix_kit_line_substitutes_item_id'))

    op.drop_table('kit_line_substitutes')
    with op.batch_alter_table('kit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kit_events_kit_id'))
        batch_op.drop_index(batch_op.f('ix_kit_events_at'))

    op.drop_table('kit_events')
    with op.batch_alter_table('module_requirements', schema=None) as batch_op:
        batch_op.drop_index('uq_module_requirements_module_template')
        batch_op.drop_index(batch_op.f('ix_module_requirements_template_id'))
        batch_op.drop_index(batch_op.f('ix_module_requirements_module_id'))

    op.drop_table('module_requirements')
    with op.batch_alter_table('kits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kits_template_id'))
        batch_op.drop_index(batch_op.f('ix_kits_status'))
        batch_op.drop_index(batch_op.f('ix_kits_module_id'))
        batch_op.drop_index(batch_op.f('ix_kits_home_location_id'))

    op.drop_table('kits')
    with op.batch_alter_table('kit_template_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_kit_template_lines_template_item')
        batch_op.drop_index(batch_op.f('ix_kit_template_lines_template_id'))
        batch_op.drop_index(batch_op.f('ix_kit_template_lines_item_id'))

    op.drop_table('kit_template_lines')
    with op.batch_alter_table('kit_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kit_templates_category_id'))

    op.drop_table('kit_templates')
    op.drop_table('modules')
