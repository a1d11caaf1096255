"""cases shared with another organisation through the Art. 9 gate (channel share)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 14:39:04.748110
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_shares',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('granted_by', sa.Uuid(), nullable=True),
    sa.Column('granted_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', wangan.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_shares_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_case_shares_granted_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_case_shares_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_shares'))
    )
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_shares_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_shares_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_shares_org_id'))
        batch_op.drop_index(batch_op.f('ix_case_shares_case_id'))

    op.drop_table('case_shares')
