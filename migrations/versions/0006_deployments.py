"""Deployments, the squads they support, box check-outs and the scan station's log.

Also indexes stock_movements.reference: a deployment lists its movements by its code.

Revision ID: 0006_deployments
Revises: 0005_squads
Create Date: 2026-11-29 05:36:41.499558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_deployments'
down_revision = '0005_squads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('incident', 'drill', 'exercise', 'lend', name='deployment_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('commander', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_return_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_name', sa.String(length=80), nullable=False),
    sa.Column('closed_by_name', sa.String(length=80), nullable=False),
    sa.CheckConstraint('closed_at IS NULL OR closed_at >= opened_at', name=op.f('ck_deployments_closed_after_opening')),
    sa.CheckConstraint('expected_return_at >= opened_at', name=op.f('ck_deployments_return_after_opening')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_deployments_location_id_locations')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_deployments_module_id_modules')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_deployments_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployments')),
    sa.UniqueConstraint('code', name=op.f('uq_deployments_code')),
    sa.UniqueConstraint('location_id', name=op.f('uq_deployments_location_id'))
    )
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployments_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deployments_module_id'), ['module_id'], unique=False)

    op.create_table('deployment_squads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('squad_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_deployment_squads_deployment_id_deployments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['squad_id'], ['squads.id'], name=op.f('fk_deployment_squads_squad_id_squads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment_squads'))
    )
    with op.batch_alter_table('deployment_squads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_squads_squad_id'), ['squad_id'], unique=False)
        batch_op.create_index('uq_deployment_squads_pair', ['deployment_id', 'squad_id'], unique=True)

    op.create_table('kit_checkouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('assembling', 'ready', 'short', 'deployed', 'returned', 'restocking', 'quarantined', 'retired', name='checkout_from_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('out_by_id', sa.Integer(), nullable=True),
    sa.Column('out_by_name', sa.String(length=80), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_by_id', sa.Integer(), nullable=True),
    sa.Column('in_by_name', sa.String(length=80), nullable=False),
    sa.Column('consumed', sa.Integer(), nullable=False),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.CheckConstraint('in_at IS NULL OR in_at >= out_at', name=op.f('ck_kit_checkouts_in_after_out')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_kit_checkouts_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['in_by_id'], ['users.id'], name=op.f('fk_kit_checkouts_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_kit_checkouts_kit_id_kits')),
    sa.ForeignKeyConstraint(['out_by_id'], ['users.id'], name=op.f('fk_kit_checkouts_out_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_checkouts'))
    )
    with op.batch_alter_table('kit_checkouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_checkouts_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kit_checkouts_kit_id'), ['kit_id'], unique=False)
        batch_op.create_index('uq_kit_checkouts_open', ['kit_id'], unique=True, sqlite_where=sa.text('in_at IS NULL'), postgresql_where=sa.text('in_at IS NULL'))

    op.create_table('scan_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('station', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=320), nullable=False),
    sa.Column('action', sa.Enum('check_out', 'check_in', 'lookup', name='scan_action', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('kit_id', sa.Integer(), nullable=True),
    sa.Column('checkout_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Enum('checked_out', 'checked_in', 'found', 'undone', 'invalid', 'not_found', 'wrong_kind', 'conflict', 'forbidden', name='scan_result', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checkout_id'], ['kit_checkouts.id'], name=op.f('fk_scan_events_checkout_id_kit_checkouts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployments.id'], name=op.f('fk_scan_events_deployment_id_deployments')),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_scan_events_kit_id_kits')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scan_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_events'))
    )
    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_events_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_events_kit_id'), ['kit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_events_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_scan_events_user_key', ['user_id', 'idempotency_key'], unique=True, sqlite_where=sa.text('idempotency_key IS NOT NULL'), postgresql_where=sa.text('idempotency_key IS NOT NULL'))

    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_reference'), ['reference'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_reference'))

    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.drop_index('uq_scan_events_user_key', sqlite_where=sa.text('idempotency_key IS NOT NULL'), postgresql_where=sa.text('idempotency_key IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_scan_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_scan_events_kit_id'))
        batch_op.drop_index(batch_op.f('ix_scan_events_deployment_id'))
        batch_op.drop_index(batch_op.f('ix_scan_events_at'))

    op.drop_table('scan_events')
    with op.batch_alter_table('kit_checkouts', schema=None) as batch_op:
        batch_op.drop_index('uq_kit_checkouts_open', sqlite_where=sa.text('in_at IS NULL'), postgresql_where=sa.text('in_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_kit_checkouts_kit_id'))
        batch_op.drop_index(batch_op.f('ix_kit_checkouts_deployment_id'))

    op.drop_table('kit_checkouts')
    with op.batch_alter_table('deployment_squads', schema=None) as batch_op:
        batch_op.drop_index('uq_deployment_squads_pair')
        batch_op.drop_index(batch_op.f('ix_deployment_squads_squad_id'))

    op.drop_table('deployment_squads')
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployments_module_id'))
        batch_op.drop_index(batch_op.f('ix_deployments_closed_at'))

    op.drop_table('deployments')
