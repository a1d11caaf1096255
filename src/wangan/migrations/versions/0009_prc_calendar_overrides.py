"""PRC working-day calendar: administrators' override days and confirmed years

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 16:05:12.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_overrides',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('holiday', 'workday', name='daykind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.Uuid(), nullable=True),
    sa.Column('entered_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_calendar_overrides_entered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_overrides')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_overrides_day'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source_reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('confirmed_by', sa.Uuid(), nullable=True),
    sa.Column('confirmed_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by'], ['users.id'], name=op.f('fk_calendar_years_confirmed_by_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )


def downgrade() -> None:
    op.drop_table('calendar_years')
    op.drop_table('calendar_overrides')
