"""audit head trigger: the database moves an engagement's chain head (``engagements.audit_seq``,
``audit_head``) to each entry it stores, so that appending costs one statement, not two

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 06:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOVE_HEAD = 'UPDATE engagements SET audit_seq = NEW.seq, audit_head = NEW.hash WHERE id = NEW.engagement_id'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f"""
            CREATE FUNCTION gouvernance_audit_entries_move_head() RETURNS trigger AS $$
            BEGIN
                {_MOVE_HEAD};
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            'CREATE TRIGGER audit_entries_move_head AFTER INSERT ON audit_entries '
            'FOR EACH ROW EXECUTE FUNCTION gouvernance_audit_entries_move_head()'
        )
    else:
        op.execute(f'CREATE TRIGGER audit_entries_move_head AFTER INSERT ON audit_entries BEGIN {_MOVE_HEAD}; END')


def downgrade() -> None:
    op.execute('DROP TRIGGER audit_entries_move_head' + (' ON audit_entries' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION gouvernance_audit_entries_move_head()')
