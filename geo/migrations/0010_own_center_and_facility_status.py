"""Two rules every layer shares, defined once in the database.

``geo_community_own_center``: a community's own center is its highest-level center
(district > street > community > site), then the largest by floor area, then the oldest.
Pairing distances, pairing lines on the map, the API and the reports all end there.

``wangge_facility_status(area, households, centers, ratio, min_m2)``: 'meets' when the
floor area reaches both ratio × households / 100 and the minimum, 'no_center' when the
community has none, else 'short' (the SQL twin of ``geo.facility.facility_status``; a
property test holds them equal).
"""

from django.db import migrations

VIEW = """
CREATE VIEW geo_community_own_center AS
SELECT DISTINCT ON (s.community_id)
       s.community_id, s.id AS center_id, s.location
FROM geo_servicecenter s
WHERE s.community_id IS NOT NULL
ORDER BY s.community_id,
         array_position(ARRAY['district', 'street', 'community', 'site'], s.level::text),
         s.floor_area DESC, s.id;
"""

FUNCTION = """
CREATE FUNCTION wangge_facility_status(area double precision, households integer,
                                       centers integer, ratio double precision,
                                       min_m2 double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN COALESCE(area, 0) >= ratio * households / 100.0
                     AND COALESCE(area, 0) >= min_m2 THEN 'meets'
                WHEN COALESCE(centers, 0) = 0 THEN 'no_center'
                ELSE 'short' END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0009_import_run")]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW IF EXISTS geo_community_own_center"),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS wangge_facility_status("
                          "double precision, integer, integer, double precision, "
                          "double precision)"),
    ]
