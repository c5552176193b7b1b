-- Drop what post_20_tiles.sql creates (re-applied after every migrate).
DROP FUNCTION IF EXISTS maps_tile_detail(text, integer, integer, integer, date, date, text[]);
DROP FUNCTION IF EXISTS maps_tile_store(text, bigint, bytea);
DROP FUNCTION IF EXISTS maps_tile_located_accounts(geometry, geometry);
DROP FUNCTION IF EXISTS maps_tile_events(bigint, date, date, text[]);
