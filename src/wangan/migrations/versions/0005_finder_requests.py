"""finder messages and publication requests (the finder side of a case)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:07:29.692350
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finder_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('from_provider', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_finder_messages_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_finder_messages_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finder_messages'))
    )
    with op.batch_alter_table('finder_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finder_messages_case_id'), ['case_id'], unique=False)

    op.create_table('publication_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=False),
    sa.Column('requested_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('credit_name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', name='publicationrequeststatus', native_enum=False, length=32), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', wangan.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_publication_requests_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_publication_requests_decided_by_users')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_publication_requests_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_requests'))
    )
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_requests_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_requests_case_id'))

    op.drop_table('publication_requests')
    with op.batch_alter_table('finder_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finder_messages_case_id'))

    op.drop_table('finder_messages')
