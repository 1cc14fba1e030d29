"""Chain the events recorded before the chain existed, in id order, in batches (millions of
rows: one keyset read and one UPDATE per batch — ``UPDATE … FROM (VALUES …)`` on PostgreSQL,
``executemany`` on SQLite — memory flat)."""

from typing import Any

from django.db import migrations

BATCH = 5000
GENESIS = "0" * 64
CONTENT = (
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "field",
    "old",
    "new",
    "comment",
)


def chain_existing(apps: Any, schema_editor: Any) -> None:
    # layout version 1 is frozen (docs/audit-chain.md), so importing it here is safe
    from wenming.audit.chain import digest

    event = apps.get_model("audit", "AuditEvent")
    connection = schema_editor.connection
    table = connection.ops.quote_name(event._meta.db_table)
    update = (
        f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s, chain_version = 1 WHERE id = %s"
    )
    seq, prev, last_id = 0, GENESIS, 0
    events = event.objects.using(connection.alias).order_by("id")
    with connection.cursor() as cursor:
        while True:
            rows = list(events.filter(id__gt=last_id).values_list("id", *CONTENT)[:BATCH])
            if not rows:
                break
            changes = []
            for pk, *content in rows:
                seq += 1
                hash_ = digest(1, (seq, prev, *content))
                changes.append((seq, prev, hash_, pk))
                prev = hash_
            if connection.vendor == "postgresql":  # one statement per batch
                rows_sql = ",".join(["(%s::bigint,%s,%s,%s::bigint)"] * len(changes))
                cursor.execute(
                    f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev, hash = v.hash,"
                    f" chain_version = 1 FROM (VALUES {rows_sql}) AS v(seq, prev, hash, id)"
                    " WHERE e.id = v.id",
                    [value for change in changes for value in change],
                )
            else:
                cursor.executemany(update, changes)
            last_id = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_fields")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
