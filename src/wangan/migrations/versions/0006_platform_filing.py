"""platform filing with MIIT (Art. 10, 工信部网安〔2022〕146号)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:20:50.161261
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platform_filings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('filing_number', sa.String(length=100), nullable=False),
    sa.Column('filed_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_platform_filings_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_filings'))
    )
    with op.batch_alter_table('platform_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_filings_recorded_at'), ['recorded_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('platform_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_filings_recorded_at'))

    op.drop_table('platform_filings')
