"""The audit trail is append-only in the server (issue #17 item 2): on PostgreSQL a trigger
refuses UPDATE and DELETE of an audit event, and a statement trigger refuses TRUNCATE, whoever
asks (the app's role should hold only INSERT and SELECT on audit_events anyway: see the README).
On SQLite this migration changes nothing: whoever holds the file can change anything in it, and
the hash chain and each workstation's anchor are what detect it there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 05:00:00
"""

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

FUNCTION = "audit_events_append_only"
ROW_TRIGGER = "audit_events_no_update_or_delete"
TRUNCATE_TRIGGER = "audit_events_no_truncate"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % of audit_events is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Audit events are only ever added; nothing may change or remove one.';
        END
        $$
    """)
    op.execute(f"CREATE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON audit_events "
               f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")
    op.execute(f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON audit_events "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON audit_events")
    op.execute(f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON audit_events")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
