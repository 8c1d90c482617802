"""process model snapshots carry the format of their stored document (existing snapshots: format 1)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every snapshot stored so far was written in the first format: the server default fills them in.
    op.add_column('process_models', sa.Column('format_version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('process_models') as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column('format_version')
