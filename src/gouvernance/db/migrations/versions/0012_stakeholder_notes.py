"""stakeholders keep free notes (« conflit sur le parc », « porteur politique »)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('stakeholders', sa.Column('notes', sa.Text(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35): rebuilding the table would trip the foreign keys pointing at it.
    op.drop_column('stakeholders', 'notes')
