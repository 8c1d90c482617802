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
    if op.get_bind().dialect.name == "sqlite":
        # As in 0002: a nullable column carrying its REFERENCES clause, so SQLite copies no table.
        op.execute(
            "ALTER TABLE engagements ADD COLUMN previous_engagement_id VARCHAR(36) "
            "CONSTRAINT fk_engagements_previous REFERENCES engagements (id)"
        )
    else:
        op.add_column('engagements', sa.Column('previous_engagement_id', sa.String(length=36), nullable=True))
        op.create_foreign_key('fk_engagements_previous', 'engagements', 'engagements', ['previous_engagement_id'], ['id'])
    op.create_index('ix_engagements_previous', 'engagements', ['previous_engagement_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_engagements_previous', table_name='engagements')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('engagements') as batch:  # copy and move: drops the column and its FK
            batch.drop_column('previous_engagement_id')
    else:
        op.drop_constraint('fk_engagements_previous', 'engagements', type_='foreignkey')
        op.drop_column('engagements', 'previous_engagement_id')
