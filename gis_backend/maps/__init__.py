"""Maps: the registry on a map, for the web page, the QGIS plugin and scripts.

- GeoJSON layers (``/api/v1/accounts/``, ``parcels/``, ``segments/``, ``meters/``): RFC 7946
  FeatureCollections in EPSG:4326 built by PostGIS (``geojson``, ``queries``), filtered by
  validated parameters (``filters``), paged;
- vector tiles (``/api/v1/tiles/<layer>/<z>/<x>/<y>.pbf``) and TileJSON (``tiles``), with
  low-zoom summaries kept in step with the data (``summaries``, ``sql/``);
- aggregates of arrears and suspensions per segment, colonia and sector (``aggregates``);
- the layer catalogue of ``layers/`` (``catalogue``, ``qml``) and the web map page
  (``page``, ``templates/``, ``static/``).

Roles and personal data are decided by ``gis_backend.access``.
"""
