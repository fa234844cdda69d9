"""On PostgreSQL, the database itself refuses UPDATE and DELETE on audit entries (append-only).

SQLite has no such guard; there the hash chain still reveals any change (``verify_audit``).
TRUNCATE (used by test database flushes) is not affected.
"""

from django.db import migrations

# One statement each, executed without parameters (so that "%" is not a placeholder).
CREATE = (
    """
    CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    """
    CREATE TRIGGER audit_auditentry_append_only
        BEFORE UPDATE OR DELETE ON audit_auditentry
        FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()
    """,
)

DROP = (
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_auditentry_append_only()",
)


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install_trigger, remove_trigger, elidable=False)]
