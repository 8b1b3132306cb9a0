"""Table names for raw SQL, from the models (``Model._meta.db_table``), never typed by hand.

SQL in services, tiles and reports names tables as ``{Community}``, ``{ServiceCenter}``…
and passes through :func:`sql`; a model renamed or moved changes every query with it, and
a misspelt name fails when the module loads, not in production.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.apps import apps

_PLACEHOLDER = re.compile(r"\{([A-Z][A-Za-z]+)\}")


def table(model_name: str) -> str:
    """The table of the geo model ``model_name`` (e.g. ``"GridUnit"`` → ``geo_gridunit``)."""
    # all_models is filled as each model class is defined, before the registry is ready:
    # SQL constants of modules inside geo.models resolve too.
    models = apps.all_models["geo"]
    model = models.get(model_name.lower())
    if model is None:
        known = ", ".join(sorted(str(m._meta.object_name) for m in models.values()))
        raise LookupError(f"no geo model {model_name!r} for a table name in SQL; the models "
                          f"are {known}")
    return str(model._meta.db_table)


@lru_cache(maxsize=512)
def sql(template: str) -> str:
    """``template`` with each ``{Model}`` replaced by that geo model's table.

    Other braces are left alone (``{where}`` for a later ``str.format``, ``'{}'`` literals).
    """
    return _PLACEHOLDER.sub(lambda m: table(m.group(1)), template)
