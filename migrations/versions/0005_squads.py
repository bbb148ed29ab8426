"""Support squads, personnel and qualifications; the plan's staffing targets as data.

Revision ID: 0005_squads
Revises: 0004_labels
Create Date: 2026-11-29 03:10:30.621204

"""
from alembic import op
import sqlalchemy as sa

# Kinds of certificate the plan's targets and the squads' work need; more are added as data.
QUALIFICATION_KINDS = [
    ("DRIVER", "特种车驾驶员", "Special-vehicle driver", False),
    ("TECH", "装备技师", "Equipment technician", True),
    ("MEDIC", "卫生员", "Medic", False),
    ("FORKLIFT", "叉车司机", "Forklift operator", False),
    ("COOK", "炊事员", "Field cook", False),
    ("ELECTRICIAN", "电工", "Electrician", False),
]
# The plan: >= 15 standing and >= 30 mobile support staff; of all of them >= 5% special-vehicle
# drivers and >= 15% equipment technicians of intermediate grade or higher.
STAFFING_TARGETS = [
    ("STANDING_HEADCOUNT", "headcount", "standing", None, None, 15),
    ("MOBILE_HEADCOUNT", "headcount", "mobile", None, None, 30),
    ("DRIVER_SHARE", "share", None, "DRIVER", None, 5),
    ("TECHNICIAN_SHARE", "share", None, "TECH", "intermediate", 15),
]


# revision identifiers, used by Alembic.
revision = '0005_squads'
down_revision = '0004_labels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qualification_kinds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('graded', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification_kinds')),
    sa.UniqueConstraint('code', name=op.f('uq_qualification_kinds_code'))
    )
    op.create_table('squads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('standing', 'mobile', name='squad_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('function', sa.Enum('materials', 'technical', 'medical', 'living', 'social_joint', name='support_function', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('home_station', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_squads')),
    sa.UniqueConstraint('code', name=op.f('uq_squads_code'))
    )
    with op.batch_alter_table('squads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_squads_kind'), ['kind'], unique=False)

    op.create_table('personnel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('squad_id', sa.Integer(), nullable=True),
    sa.Column('squad_role', sa.Enum('leader', 'deputy', 'member', name='squad_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('employment', sa.Enum('firefighter', 'contract', 'external_hire', 'purchased_service', name='employment', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('active', 'on_leave', 'left', name='person_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['squad_id'], ['squads.id'], name=op.f('fk_personnel_squad_id_squads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personnel')),
    sa.UniqueConstraint('badge_code', name=op.f('uq_personnel_badge_code'))
    )
    with op.batch_alter_table('personnel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personnel_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_personnel_squad_id'), ['squad_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_personnel_status'), ['status'], unique=False)
        batch_op.create_index('uq_personnel_squad_leader', ['squad_id'], unique=True, sqlite_where=sa.text("squad_role = 'leader'"), postgresql_where=sa.text("squad_role = 'leader'"))

    op.create_table('squad_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('squad_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_squad_modules_module_id_modules')),
    sa.ForeignKeyConstraint(['squad_id'], ['squads.id'], name=op.f('fk_squad_modules_squad_id_squads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_squad_modules'))
    )
    with op.batch_alter_table('squad_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_squad_modules_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_squad_modules_squad_id'), ['squad_id'], unique=False)
        batch_op.create_index('uq_squad_modules_squad_module', ['squad_id', 'module_id'], unique=True)

    op.create_table('staffing_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('measure', sa.Enum('headcount', 'share', name='target_measure', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('squad_kind', sa.Enum('standing', 'mobile', name='target_squad_kind', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('qualification_code', sa.String(length=24), nullable=True),
    sa.Column('min_grade', sa.Enum('junior', 'intermediate', 'senior', name='target_min_grade', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('plan_threshold', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=80), nullable=False),
    sa.CheckConstraint("measure <> 'share' OR threshold <= 100", name=op.f('ck_staffing_targets_share_at_most_100')),
    sa.CheckConstraint('threshold >= 0', name=op.f('ck_staffing_targets_threshold_not_negative')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_staffing_targets_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_targets')),
    sa.UniqueConstraint('code', name=op.f('uq_staffing_targets_code'))
    )
    op.create_table('qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Enum('junior', 'intermediate', 'senior', name='qualification_grade', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('certificate_no', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.CheckConstraint('expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on', name=op.f('ck_qualifications_expires_after_issue')),
    sa.ForeignKeyConstraint(['kind_id'], ['qualification_kinds.id'], name=op.f('fk_qualifications_kind_id_qualification_kinds')),
    sa.ForeignKeyConstraint(['person_id'], ['personnel.id'], name=op.f('fk_qualifications_person_id_personnel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications'))
    )
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualifications_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualifications_kind_id'), ['kind_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualifications_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_qualifications_person_kind', ['person_id', 'kind_id'], unique=True)

    kinds = sa.table("qualification_kinds", sa.column("code", sa.String), sa.column("name_zh", sa.String),
                     sa.column("name_en", sa.String), sa.column("graded", sa.Boolean),
                     sa.column("position", sa.Integer), sa.column("active", sa.Boolean))
    op.bulk_insert(kinds, [
        {"code": code, "name_zh": zh, "name_en": en, "graded": graded, "position": position,
         "active": True}
        for position, (code, zh, en, graded) in enumerate(QUALIFICATION_KINDS, start=1)
    ])
    targets = sa.table("staffing_targets", sa.column("code", sa.String), sa.column("measure", sa.String),
                       sa.column("squad_kind", sa.String), sa.column("qualification_code", sa.String),
                       sa.column("min_grade", sa.String), sa.column("threshold", sa.Integer),
                       sa.column("plan_threshold", sa.Integer), sa.column("position", sa.Integer),
                       sa.column("updated_by_name", sa.String))
    op.bulk_insert(targets, [
        {"code": code, "measure": measure, "squad_kind": kind, "qualification_code": qualification,
         "min_grade": grade, "threshold": threshold, "plan_threshold": threshold,
         "position": position, "updated_by_name": ""}
        for position, (code, measure, kind, qualification, grade, threshold)
        in enumerate(STAFFING_TARGETS, start=1)
    ])


def downgrade():
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_index('uq_qualifications_person_kind')
        batch_op.drop_index(batch_op.f('ix_qualifications_person_id'))
        batch_op.drop_index(batch_op.f('ix_qualifications_kind_id'))
        batch_op.drop_index(batch_op.f('ix_qualifications_expires_on'))

    op.drop_table('qualifications')
    op.drop_table('staffing_targets')
    with op.batch_alter_table('squad_modules', schema=None) as batch_op:
        batch_op.drop_index('uq_squad_modules_squad_module')
        batch_op.drop_index(batch_op.f('ix_squad_modules_squad_id'))
        batch_op.drop_index(batch_op.f('ix_squad_modules_module_id'))

    op.drop_table('squad_modules')
    with op.batch_alter_table('personnel', schema=None) as batch_op:
        batch_op.drop_index('uq_personnel_squad_leader', sqlite_where=sa.text("squad_role = 'leader'"), postgresql_where=sa.text("squad_role = 'leader'"))
        batch_op.drop_index(batch_op.f('ix_personnel_status'))
        batch_op.drop_index(batch_op.f('ix_personnel_squad_id'))
        batch_op.drop_index(batch_op.f('ix_personnel_name'))

    op.drop_table('personnel')
    with op.batch_alter_table('squads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_squads_kind'))

    op.drop_table('squads')
    op.drop_table('qualification_kinds')
