"""Two rules every layer shares, defined once in the database (geo/models/rules_sql.py).

``geo_community_own_center``: a community's own center, for pairing distances, pairing
lines on the map, the API and the reports. ``wangge_facility_status``: meets / short /
no_center, for the tiles (a property test holds it equal to ``geo.analysis.facility``).
"""

from django.db import migrations

from geo.models.rules_sql import CREATE, DROP


class Migration(migrations.Migration):
    dependencies = [("geo", "0009_import_run")]

    operations = [migrations.RunSQL(CREATE, DROP)]
