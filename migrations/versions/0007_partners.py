"""Partners: districts, departments and suppliers, contacts, agreements, stockpiles, activations.

Seeds Liaoyuan's city level and its two districts and two counties; other cities edit the rows.

Revision ID: 0007_partners
Revises: 0006_deployments
Create Date: 2026-11-29 08:56:17.384187

"""
from alembic import op
import sqlalchemy as sa

# Liaoyuan (辽源市): the city level holds the departments; every county/district signs its own.
DISTRICTS = (
    ("LY", "辽源市本级", "Liaoyuan city level", True),
    ("LS", "龙山区", "Longshan District", False),
    ("XA", "西安区", "Xi'an District", False),
    ("DL", "东辽县", "Dongliao County", False),
    ("DF", "东丰县", "Dongfeng County", False),
)

# revision identifiers, used by Alembic.
revision = '0007_partners'
down_revision = '0006_deployments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('city_level', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('code', name=op.f('uq_districts_code'))
    )
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('emergency_management', 'development_reform', 'earthquake', 'civil_affairs', 'water_resources', 'supermarket', 'auto_repair', 'oil_depot', 'restaurant', 'machinery', 'railway', 'logistics', 'other', name='partner_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_partners_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partners_kind'), ['kind'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'expired', 'terminated', name='agreement_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('response_hours >= 0', name=op.f('ck_agreements_response_hours_not_negative')),
    sa.CheckConstraint('valid_to >= valid_from', name=op.f('ck_agreements_ends_after_start')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_agreements_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('number', name=op.f('uq_agreements_number'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_agreements_status_valid_to', ['status', 'valid_to'], unique=False)

    op.create_table('partner_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('phone_24h', sa.String(length=40), nullable=False),
    sa.Column('phone_office', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_contacts_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_contacts'))
    )
    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_contacts_partner_id'), ['partner_id'], unique=False)

    op.create_table('stockpile_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_stockpile_lines_quantity_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stockpile_lines_item_id_items')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_stockpile_lines_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stockpile_lines'))
    )
    with op.batch_alter_table('stockpile_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stockpile_lines_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stockpile_lines_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('uq_stockpile_lines_place', ['partner_id', 'item_id', 'location'], unique=True)

    op.create_table('activations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contact_name', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_activations_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_activations_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_activations_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activations'))
    )
    with op.batch_alter_table('activations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activations_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activations_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activations_requested_at'), ['requested_at'], unique=False)

    op.create_table('agreement_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_documents_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_documents')),
    sa.UniqueConstraint('agreement_id', name=op.f('uq_agreement_documents_agreement_id'))
    )
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('period', sa.Enum('total', 'per_day', name='commitment_period', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("item_id IS NOT NULL OR description <> ''", name=op.f('ck_commitments_described')),
    sa.CheckConstraint('item_id IS NULL OR category_id IS NULL', name=op.f('ck_commitments_item_or_category')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_commitments_quantity_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_commitments_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_commitments_category_id_categories')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_commitments_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_item_id'), ['item_id'], unique=False)

    op.create_table('contact_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_by_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_contact_checks_checked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['partner_contacts.id'], name=op.f('fk_contact_checks_contact_id_partner_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_checks'))
    )
    with op.batch_alter_table('contact_checks', schema=None) as batch_op:
        batch_op.create_index('ix_contact_checks_contact_at', ['contact_id', 'checked_at'], unique=False)

    op.create_table('activation_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activation_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('needed_by', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("item_id IS NOT NULL OR description <> ''", name=op.f('ck_activation_lines_described')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_activation_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['activation_id'], ['activations.id'], name=op.f('fk_activation_lines_activation_id_activations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_activation_lines_commitment_id_commitments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_activation_lines_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_lines'))
    )
    with op.batch_alter_table('activation_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_lines_activation_id'), ['activation_id'], unique=False)

    op.create_table('arrivals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=80), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_arrivals_quantity_positive')),
    sa.ForeignKeyConstraint(['line_id'], ['activation_lines.id'], name=op.f('fk_arrivals_line_id_activation_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_arrivals_movement_id_stock_movements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_arrivals_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrivals')),
    sa.UniqueConstraint('movement_id', name=op.f('uq_arrivals_movement_id'))
    )
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrivals_line_id'), ['line_id'], unique=False)


    districts = sa.table("districts", sa.column("code", sa.String), sa.column("name_zh", sa.String),
                         sa.column("name_en", sa.String), sa.column("city_level", sa.Boolean),
                         sa.column("position", sa.Integer))
    op.bulk_insert(districts, [
        {"code": code, "name_zh": zh, "name_en": en, "city_level": city, "position": position}
        for position, (code, zh, en, city) in enumerate(DISTRICTS, start=1)
    ])


def downgrade():
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrivals_line_id'))

    op.drop_table('arrivals')
    with op.batch_alter_table('activation_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_lines_activation_id'))

    op.drop_table('activation_lines')
    with op.batch_alter_table('contact_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_checks_contact_at')

    op.drop_table('contact_checks')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_item_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_category_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_agreement_id'))

    op.drop_table('commitments')
    op.drop_table('agreement_documents')
    with op.batch_alter_table('activations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activations_requested_at'))
        batch_op.drop_index(batch_op.f('ix_activations_deployment_id'))
        batch_op.drop_index(batch_op.f('ix_activations_agreement_id'))

    op.drop_table('activations')
    with op.batch_alter_table('stockpile_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_stockpile_lines_place')
        batch_op.drop_index(batch_op.f('ix_stockpile_lines_partner_id'))
        batch_op.drop_index(batch_op.f('ix_stockpile_lines_item_id'))

    op.drop_table('stockpile_lines')
    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_contacts_partner_id'))

    op.drop_table('partner_contacts')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_status_valid_to')
        batch_op.drop_index(batch_op.f('ix_agreements_partner_id'))

    op.drop_table('agreements')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_kind'))
        batch_op.drop_index(batch_op.f('ix_partners_district_id'))

    op.drop_table('partners')
    op.drop_table('districts')
