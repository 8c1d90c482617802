"""the public record: the engagements their organisation made public

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gouvernance.db.base

revision: str = '0018'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('public_engagements',
    sa.Column('engagement_id', sa.String(length=36), nullable=False),
    sa.Column('published_at', gouvernance.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ),
    sa.PrimaryKeyConstraint('engagement_id')
    )


def downgrade() -> None:
    op.drop_table('public_engagements')
