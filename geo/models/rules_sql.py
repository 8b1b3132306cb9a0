"""Rules defined in the database: the own-center view and the facility-status function.

Created by migration 0010 and again after every ``restore`` (an archive's views and
functions are never restored from the file: only these definitions, from this code).
Changing one means a new migration that runs :data:`CREATE` again (it replaces).
"""

from __future__ import annotations

from .tables import sql, table

# A community's own center: its highest-level center (district > street > community >
# site), then the largest by floor area, then the oldest.
OWN_CENTER_VIEW = sql("""
CREATE OR REPLACE VIEW {CommunityOwnCenter} AS
SELECT DISTINCT ON (s.community_id)
       s.community_id, s.id AS center_id, s.location
FROM {ServiceCenter} s
WHERE s.community_id IS NOT NULL
ORDER BY s.community_id,
         array_position(ARRAY['district', 'street', 'community', 'site'], s.level::text),
         s.floor_area DESC, s.id;
""")

# 'meets' when the floor area reaches both ratio × households / 100 and the minimum,
# 'no_center' when the community has none, else 'short' (twin of analysis.facility_status).
FACILITY_STATUS_FUNCTION = """
CREATE OR REPLACE FUNCTION wangge_facility_status(area double precision, households integer,
                                                  centers integer, ratio double precision,
                                                  min_m2 double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN COALESCE(area, 0) >= ratio * households / 100.0
                     AND COALESCE(area, 0) >= min_m2 THEN 'meets'
                WHEN COALESCE(centers, 0) = 0 THEN 'no_center'
                ELSE 'short' END
$$;
"""

CREATE = OWN_CENTER_VIEW + FACILITY_STATUS_FUNCTION
DROP = sql("DROP VIEW IF EXISTS {CommunityOwnCenter}; DROP FUNCTION IF EXISTS "
           "wangge_facility_status(double precision, integer, integer, double precision, "
           "double precision);")

# The walking network's version: a new token whenever a statement changes walk nodes or
# edges (COPY and bulk loads included), so a process's cached graph is checked by reading
# one row instead of counting millions (migration 0024; again after every restore, which
# also gives a new token: a restored network is a different one).
NETWORK_VERSION = sql("""
CREATE OR REPLACE FUNCTION wangge_network_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {NetworkVersion} (id, token) VALUES (1, gen_random_uuid())
        ON CONFLICT (id) DO UPDATE SET token = excluded.token;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER wangge_network_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {WalkEdge}
    FOR EACH STATEMENT EXECUTE FUNCTION wangge_network_changed();
CREATE OR REPLACE TRIGGER wangge_network_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {WalkNode}
    FOR EACH STATEMENT EXECUTE FUNCTION wangge_network_changed();
INSERT INTO {NetworkVersion} (id, token) VALUES (1, gen_random_uuid())
    ON CONFLICT (id) DO UPDATE SET token = excluded.token;
""")
NETWORK_VERSION_DROP = sql("""
DROP TRIGGER IF EXISTS wangge_network_changed ON {WalkEdge};
DROP TRIGGER IF EXISTS wangge_network_changed ON {WalkNode};
DROP FUNCTION IF EXISTS wangge_network_changed();
""")

# What a restore makes again from this code (after the archive's tables and data).
RESTORE = CREATE + NETWORK_VERSION
# What a backup holds besides tables (pg_restore --list kinds and names; a trigger is
# listed under its table's name).
OBJECTS = {("VIEW", table("CommunityOwnCenter")), ("FUNCTION", "wangge_facility_status"),
           ("FUNCTION", "wangge_network_changed"), ("TRIGGER", table("WalkEdge")),
           ("TRIGGER", table("WalkNode"))}
