"""need-to-know members, provider forwarding, MIIT listing, one open publication request

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 15:20:50.438723
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('added_by', sa.Uuid(), nullable=True),
    sa.Column('added_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_case_members_added_by_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_members_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_members')),
    sa.UniqueConstraint('case_id', 'user_id', name='uq_case_members_case_user')
    )
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_members_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_members_user_id'), ['user_id'], unique=False)

    op.create_table('provider_forwards',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.Enum('share', 'email', 'recorded', name='forwardchannel', native_enum=False, length=32), nullable=False),
    sa.Column('provider_org_id', sa.Uuid(), nullable=True),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('forwarded_by', sa.Uuid(), nullable=True),
    sa.Column('forwarded_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_provider_forwards_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forwarded_by'], ['users.id'], name=op.f('fk_provider_forwards_forwarded_by_users')),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], name=op.f('fk_provider_forwards_provider_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_forwards'))
    )
    with op.batch_alter_table('provider_forwards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_forwards_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forward_due_at', wangan.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('forwarded_at', wangan.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_forward_due_at'), ['forward_due_at'], unique=False)

    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_signoff', sa.String(length=200), nullable=False, server_default=''))

    with op.batch_alter_table('platform_filings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('miit_published_at', wangan.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('miit_list_reference', sa.String(length=500), nullable=False, server_default=''))

    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.create_index('uq_publication_requests_one_open', ['case_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))



def downgrade() -> None:
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_publication_requests_one_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.drop_column('legal_signoff')

    with op.batch_alter_table('platform_filings', schema=None) as batch_op:
        batch_op.drop_column('miit_list_reference')
        batch_op.drop_column('miit_published_at')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_forward_due_at'))
        batch_op.drop_column('forwarded_at')
        batch_op.drop_column('forward_due_at')

    with op.batch_alter_table('provider_forwards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_forwards_case_id'))

    op.drop_table('provider_forwards')
    with op.batch_alter_table('case_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_members_case_id'))

    op.drop_table('case_members')
