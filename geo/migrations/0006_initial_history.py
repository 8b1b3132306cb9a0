"""Give rows that existed before audit history began their first history record."""

from django.db import migrations

AUDITED = ["District", "Street", "Community", "GridUnit", "ServiceCenter", "CoBuildingUnit",
           "Pairing"]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in AUDITED:
        model = apps.get_model("geo", name)
        hist = apps.get_model("geo", f"Historical{name}")
        cols = [f.column for f in model._meta.concrete_fields]
        table, htable = model._meta.db_table, hist._meta.db_table
        col_list = ", ".join(f'"{c}"' for c in cols)
        schema_editor.execute(
            f"INSERT INTO {htable} ({col_list}, history_date, history_type, "
            f"history_change_reason) SELECT {col_list}, now(), '+', '初始记录 initial record' "
            f"FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {htable} h WHERE h.id = t.id)")


class Migration(migrations.Migration):
    dependencies = [("geo", "0005_accounts_history")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
