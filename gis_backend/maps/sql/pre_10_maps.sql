-- Map functions and low-zoom summaries: drop what post_10_maps.sql creates (re-applied after
-- every migrate). The summary tables are caches: post_10_maps.sql recreates them empty and the
-- first low-zoom tile after a migrate fills them again (gis_backend/maps/summaries.py).
DROP FUNCTION IF EXISTS maps_refresh_summaries();
DROP FUNCTION IF EXISTS maps_located_meters(geometry);
DROP FUNCTION IF EXISTS maps_located_accounts(geometry);
DROP FUNCTION IF EXISTS maps_tile_accounts(geometry, geometry);
DO $$
DECLARE
    target record;
BEGIN
    FOR target IN
        SELECT t.tgname, t.tgrelid::regclass AS tab FROM pg_trigger AS t
         WHERE NOT t.tgisinternal
           AND (t.tgname LIKE 'maps\_parcel\_tile\_%' OR t.tgname LIKE 'maps\_tile\_tables\_%')
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', target.tgname, target.tab);
    END LOOP;
END
$$;
-- (maps_parcel_tile_* before 2026-11-28)
DROP FUNCTION IF EXISTS maps_parcel_tile_parcel();
DROP FUNCTION IF EXISTS maps_parcel_tile_account();
DROP FUNCTION IF EXISTS maps_parcel_tile_link();
DROP FUNCTION IF EXISTS maps_parcel_tile_balance();
DROP FUNCTION IF EXISTS maps_tile_tables_parcel();
DROP FUNCTION IF EXISTS maps_tile_tables_account();
DROP FUNCTION IF EXISTS maps_tile_tables_link();
DROP FUNCTION IF EXISTS maps_tile_tables_balance();
DROP FUNCTION IF EXISTS maps_account_tile_upsert_sql(text);
DROP FUNCTION IF EXISTS maps_accounts_with_links(text);
DROP FUNCTION IF EXISTS maps_accounts_of_links(text);
DROP FUNCTION IF EXISTS maps_links_to_parcels(text);
DROP TABLE IF EXISTS maps_account_tile;
DROP FUNCTION IF EXISTS maps_parcel_tile_upsert_sql(text);
DROP FUNCTION IF EXISTS maps_parcel_tile_restate_sql(text);
DROP FUNCTION IF EXISTS maps_parcel_state_sql(text);
DROP FUNCTION IF EXISTS maps_parcel_ids_sql(text);
DROP FUNCTION IF EXISTS maps_every_parcel();
DROP FUNCTION IF EXISTS maps_parcels_of_accounts(text, text);
DROP FUNCTION IF EXISTS maps_parcels_with_accounts();
DROP FUNCTION IF EXISTS maps_parcel_tile_clear();
DROP FUNCTION IF EXISTS maps_restate_source(text, bigint);
DROP TABLE IF EXISTS maps_parcel_tile;
DROP FUNCTION IF EXISTS maps_map_class(text, numeric, integer);
DROP FUNCTION IF EXISTS maps_aging_bucket(integer);
DROP FUNCTION IF EXISTS maps_status_rank(text);
DROP FUNCTION IF EXISTS maps_data_version();
DROP TABLE IF EXISTS maps_grid_cell;
DROP TABLE IF EXISTS maps_segment_summary;
DROP TABLE IF EXISTS maps_unit_summary;
DROP TABLE IF EXISTS maps_summary_state;
DROP TABLE IF EXISTS maps_tile_cache;
