"""review cases (Measures for Cybersecurity Review): dossier, clocks, pauses, risk factors, commitments, supervision

New tables only, so NOT NULL columns need no server defaults (no existing rows to fill). The two JSON
columns (unconfirmed_years) are sa.JSON: JSON on PostgreSQL, TEXT on SQLite.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 15:55:41.241716
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wangan.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('procurement', 'listing', 'ex_officio', name='reviewkind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('product_name', sa.String(length=300), nullable=False),
    sa.Column('product_category', sa.String(length=64), nullable=False),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.Column('supplier_country', sa.String(length=100), nullable=False),
    sa.Column('listing_venue', sa.String(length=32), nullable=False),
    sa.Column('user_count', sa.Integer(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('measures_version', sa.String(length=32), nullable=False),
    sa.Column('state', sa.Enum('preparing', 'determining', 'not_required', 'review_noticed', 'initial_review', 'member_consultation', 'special_review', 'concluded', name='reviewstate', native_enum=False, length=32), nullable=False),
    sa.Column('dossier_completed_on', sa.Date(), nullable=True),
    sa.Column('initial_extended', sa.Boolean(), nullable=False),
    sa.Column('special_extensions', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.Enum('passed', 'not_passed', 'not_required', name='conclusion', native_enum=False, length=32), nullable=True),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_review_cases_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_review_cases_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_review_cases_number'))
    )
    with op.batch_alter_table('review_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_cases_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_cases_state'), ['state'], unique=False)

    op.create_table('review_clocks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('length_wd', sa.Integer(), nullable=False),
    sa.Column('extension_wd', sa.Integer(), nullable=False),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('paused_wd', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('unconfirmed_years', sa.JSON(), nullable=False),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.Column('created_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_clocks_case_id_review_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_clocks'))
    )
    with op.batch_alter_table('review_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_clocks_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_review_clocks_running', ['stopped_on', 'due_on'], unique=False)

    op.create_table('review_commitments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('clause_id', sa.String(length=32), nullable=False),
    sa.Column('committed', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('committed_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_commitments_case_id_review_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_review_commitments_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_commitments')),
    sa.UniqueConstraint('case_id', 'supplier', 'clause_id', name='uq_review_commitments_clause')
    )
    with op.batch_alter_table('review_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_commitments_case_id'), ['case_id'], unique=False)

    op.create_table('review_documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('slot', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('uploaded_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_documents_case_id_review_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_review_documents_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_documents')),
    sa.UniqueConstraint('case_id', 'slot', 'version', name='uq_review_documents_slot_version')
    )
    with op.batch_alter_table('review_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_documents_case_id'), ['case_id'], unique=False)

    op.create_table('review_factor_assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('factor_id', sa.String(length=16), nullable=False),
    sa.Column('rating', sa.Enum('unrated', 'none', 'low', 'medium', 'high', name='rating', native_enum=False, length=32), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('assessed_by', sa.Uuid(), nullable=True),
    sa.Column('assessed_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessed_by'], ['users.id'], name=op.f('fk_review_factor_assessments_assessed_by_users')),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_factor_assessments_case_id_review_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_factor_assessments')),
    sa.UniqueConstraint('case_id', 'factor_id', name='uq_review_factor_assessments_factor')
    )
    with op.batch_alter_table('review_factor_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_factor_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('review_supervision_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('unconfirmed_years', sa.JSON(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_supervision_items_case_id_review_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_review_supervision_items_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_supervision_items'))
    )
    with op.batch_alter_table('review_supervision_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_supervision_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_review_supervision_open_due', ['done_on', 'due_on'], unique=False)

    op.create_table('review_pauses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('clock_id', sa.Uuid(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', wangan.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_pauses_case_id_review_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clock_id'], ['review_clocks.id'], name=op.f('fk_review_pauses_clock_id_review_clocks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_review_pauses_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_pauses'))
    )
    with op.batch_alter_table('review_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_pauses_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_pauses_clock_id'), ['clock_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_pauses_clock_id'))
        batch_op.drop_index(batch_op.f('ix_review_pauses_case_id'))

    op.drop_table('review_pauses')
    with op.batch_alter_table('review_supervision_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_supervision_open_due')
        batch_op.drop_index(batch_op.f('ix_review_supervision_items_case_id'))

    op.drop_table('review_supervision_items')
    with op.batch_alter_table('review_factor_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_factor_assessments_case_id'))

    op.drop_table('review_factor_assessments')
    with op.batch_alter_table('review_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_documents_case_id'))

    op.drop_table('review_documents')
    with op.batch_alter_table('review_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_commitments_case_id'))

    op.drop_table('review_commitments')
    with op.batch_alter_table('review_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_review_clocks_running')
        batch_op.drop_index(batch_op.f('ix_review_clocks_case_id'))

    op.drop_table('review_clocks')
    with op.batch_alter_table('review_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_cases_state'))
        batch_op.drop_index(batch_op.f('ix_review_cases_org_id'))

    op.drop_table('review_cases')
