"""Label printing: the print-offset calibration of each label stock format.

Revision ID: 0004_labels
Revises: 0003_kits
Create Date: 2026-11-29 01:22:23.858201

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_labels'
down_revision = '0003_kits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_calibrations',
    sa.Column('format_code', sa.String(length=24), nullable=False),
    sa.Column('offset_x_mm', sa.Float(), nullable=False),
    sa.Column('offset_y_mm', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('offset_x_mm BETWEEN -20 AND 20', name=op.f('ck_label_calibrations_offset_x_in_range')),
    sa.CheckConstraint('offset_y_mm BETWEEN -20 AND 20', name=op.f('ck_label_calibrations_offset_y_in_range')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_label_calibrations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('format_code', name=op.f('pk_label_calibrations'))
    )


def downgrade():
    op.drop_table('label_calibrations')
