"""engagements of a recurring journey know the cycle they follow on from

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-04 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain nullable column, no foreign key (see EngagementRow): SQLite can add and drop it without
    # rebuilding the table that every other table points at.
    op.add_column('engagements', sa.Column('previous_engagement_id', sa.String(length=36), nullable=True))
    op.create_index('ix_engagements_previous', 'engagements', ['previous_engagement_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_engagements_previous', table_name='engagements')
    op.drop_column('engagements', 'previous_engagement_id')  # a plain DROP COLUMN on SQLite ≥ 3.35
