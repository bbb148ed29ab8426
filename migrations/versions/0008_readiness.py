"""Readiness: colour thresholds, the plan's targets as data, and daily snapshots per module.

Seeds the plan's figures (depot >= 1,000 m², seven categories, five priority modules, five
departments' stockpiles, every county/district covered, railway and logistics delivery) and the
default colour thresholds (green from 90 %, amber from 60 %).

Revision ID: 0008_readiness
Revises: 0007_partners
Create Date: 2026-11-29 12:06:31.710869

"""
from alembic import op
import sqlalchemy as sa

# The plan's targets: (measure, threshold, scope); the scope names the five priority modules.
PLAN_TARGETS = (
    ("depot_area", 1000, ""),
    ("categories", 7, ""),
    ("modules", 5, "HR CH EQ MT WR"),
    ("stockpiles", 5, ""),
    ("county_agreements", 100, ""),
    ("delivery_agreements", 2, ""),
)

# revision identifiers, used by Alembic.
revision = '0008_readiness'
down_revision = '0007_partners'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.Enum('depot_area', 'categories', 'modules', 'stockpiles', 'county_agreements', 'delivery_agreements', name='plan_measure', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('plan_threshold', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=80), nullable=False),
    sa.CheckConstraint('threshold >= 0', name=op.f('ck_plan_targets_threshold_not_negative')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plan_targets_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('measure', name=op.f('uq_plan_targets_measure'))
    )
    op.create_table('readiness_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('good_percent', sa.Integer(), nullable=False),
    sa.Column('fair_percent', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=80), nullable=False),
    sa.CheckConstraint('fair_percent >= 0 AND fair_percent <= good_percent AND good_percent <= 100', name=op.f('ck_readiness_settings_levels_ordered')),
    sa.CheckConstraint('id = 1', name=op.f('ck_readiness_settings_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_readiness_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_settings'))
    )
    op.create_table('readiness_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('ready', sa.Integer(), nullable=False),
    sa.Column('short', sa.Integer(), nullable=False),
    sa.Column('deployed', sa.Integer(), nullable=False),
    sa.Column('restocking', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_readiness_snapshots_percent_range')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_readiness_snapshots_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_snapshots'))
    )
    with op.batch_alter_table('readiness_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_snapshots_module_id'), ['module_id'], unique=False)
        batch_op.create_index('uq_readiness_snapshots_day_module', ['day', 'module_id'], unique=True)

    settings = sa.table("readiness_settings", sa.column("id", sa.Integer), sa.column("good_percent", sa.Integer),
                        sa.column("fair_percent", sa.Integer), sa.column("updated_by_name", sa.String))
    op.bulk_insert(settings, [{"id": 1, "good_percent": 90, "fair_percent": 60, "updated_by_name": ""}])
    targets = sa.table("plan_targets", sa.column("measure", sa.String), sa.column("threshold", sa.Integer),
                       sa.column("plan_threshold", sa.Integer), sa.column("scope", sa.String),
                       sa.column("position", sa.Integer), sa.column("updated_by_name", sa.String))
    op.bulk_insert(targets, [
        {"measure": measure, "threshold": threshold, "plan_threshold": threshold, "scope": scope,
         "position": position, "updated_by_name": ""}
        for position, (measure, threshold, scope) in enumerate(PLAN_TARGETS, start=1)
    ])



def downgrade():
    with op.batch_alter_table('readiness_snapshots', schema=None) as batch_op:
        batch_op.drop_index('uq_readiness_snapshots_day_module')
        batch_op.drop_index(batch_op.f('ix_readiness_snapshots_module_id'))

    op.drop_table('readiness_snapshots')
    op.drop_table('readiness_settings')
    op.drop_table('plan_targets')
