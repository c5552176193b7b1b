"""SQL of the GeoJSON layers. Each SELECT returns ``id``, ``geom`` (storage SRID) and the feature's
properties as columns; ``{env}`` is the search envelope in the storage SRID (the bbox filter, or
the whole world). Filters, ordering and paging are applied around it by ``maps.geojson``, on the
output columns, so they read the same as the API's parameters.

Personal data: ``%(personal)s`` is true only for roles allowed to see it; otherwise the holder's
fields are NULL in the database's answer and never reach Python.
"""

# The newest balance of an account (registry_collectionsnapshot's unique index on
# (account_id, as_of) makes this one index probe per account).
LATEST_COLLECTION = """
    LEFT JOIN LATERAL (
        SELECT c.as_of, c.balance, c.months_overdue, c.days_overdue, c.payment_agreement
          FROM registry_collectionsnapshot AS c
         WHERE c.account_id = a.id
         ORDER BY c.as_of DESC
         LIMIT 1
    ) AS cs ON true
"""

AGING = "CASE WHEN cs.balance > 0 THEN maps_aging_bucket(cs.days_overdue) ELSE 'sin_adeudo' END"

ACCOUNTS = f"""
SELECT a.id,
       la.geom,
       a.number,
       a.status,
       a.tariff,
       nullif(a.giro, '') AS giro,
       a.metered,
       a.dwellings,
       la.located_at,
       concat_ws(' ', nullif(a.billing_street, ''), nullif(a.billing_ext_number, ''),
                 nullif(a.billing_int_number, '')) AS billing_address,
       nullif(a.billing_colonia, '') AS billing_colonia,
       l.parcel_id,
       nullif(l.parcel_method, '') AS parcel_method,
       l.segment_id,
       nullif(l.segment_method, '') AS segment_method,
       col.id AS colonia_id,
       col.name AS colonia,
       a.sector_id,
       sec.code AS sector,
       a.route_id,
       rt.code AS route,
       cs.as_of AS balance_as_of,
       cs.balance,
       coalesce(cs.months_overdue, 0) AS months_overdue,
       coalesce(cs.days_overdue, 0) AS days_overdue,
       {AGING} AS aging,
       cs.payment_agreement,
       maps_map_class(a.status, cs.balance, cs.days_overdue) AS map_class,
       CASE WHEN %(personal)s THEN h.full_name END AS holder_name,
       CASE WHEN %(personal)s THEN nullif(h.phone, '') END AS holder_phone,
       CASE WHEN %(personal)s THEN nullif(h.email, '') END AS holder_email,
       CASE WHEN %(personal)s THEN nullif(h.notification_address, '') END
           AS holder_notification_address,
       (h.id IS NOT NULL AND NOT %(personal)s) AS holder_masked,
       (h.id IS NOT NULL AND %(personal)s) AS _personal_data
  FROM maps_located_accounts({{env}}) AS la
  JOIN registry_account AS a ON a.id = la.account_id
  LEFT JOIN registry_accountlink AS l ON l.account_id = a.id
  LEFT JOIN registry_parcel AS p ON p.id = l.parcel_id
  LEFT JOIN registry_streetsegment AS sg ON sg.id = l.segment_id
  LEFT JOIN registry_colonia AS col ON col.id = coalesce(p.colonia_id, sg.colonia_id)
  LEFT JOIN registry_sector AS sec ON sec.id = a.sector_id
  LEFT JOIN registry_readingroute AS rt ON rt.id = a.route_id
  LEFT JOIN registry_holder AS h ON h.id = a.holder_id
  {LATEST_COLLECTION}
"""

# A parcel's state: its accounts (through the stored links), the most severe of their statuses,
# and their balances.
PARCELS = f"""
SELECT p.id,
       p.geom,
       p.cadastral_key,
       nullif(p.street, '') AS street,
       nullif(p.number, '') AS number,
       p.colonia_id,
       col.name AS colonia,
       nullif(p.land_use, '') AS land_use,
       p.built_area,
       p.dwellings,
       st.accounts,
       coalesce(st.status, 'sin_cuenta') AS status,
       st.balance,
       coalesce(st.months_overdue, 0) AS months_overdue,
       coalesce(st.days_overdue, 0) AS days_overdue,
       CASE WHEN st.balance > 0 THEN maps_aging_bucket(st.days_overdue) ELSE 'sin_adeudo' END
           AS aging,
       maps_map_class(st.status, st.balance, st.days_overdue) AS map_class
  FROM registry_parcel AS p
  LEFT JOIN registry_colonia AS col ON col.id = p.colonia_id
  LEFT JOIN LATERAL (
      SELECT count(*) AS accounts,
             (array_agg(a.status ORDER BY maps_status_rank(a.status) DESC))[1] AS status,
             sum(cs.balance) FILTER (WHERE cs.balance > 0) AS balance,
             max(cs.months_overdue) FILTER (WHERE cs.balance > 0) AS months_overdue,
             max(cs.days_overdue) FILTER (WHERE cs.balance > 0) AS days_overdue
        FROM registry_accountlink AS l
        JOIN registry_account AS a ON a.id = l.account_id
        {LATEST_COLLECTION}
       WHERE l.parcel_id = p.id
  ) AS st ON true
"""

SEGMENTS = """
SELECT sg.id,
       sg.geom,
       sg.name,
       nullif(sg.street_type, '') AS street_type,
       sg.colonia_id,
       col.name AS colonia,
       sg.left_from,
       sg.left_to,
       sg.right_from,
       sg.right_to
  FROM registry_streetsegment AS sg
  LEFT JOIN registry_colonia AS col ON col.id = sg.colonia_id
"""

METERS = """
SELECT m.id,
       lm.geom,
       m.serial,
       nullif(m.brand, '') AS brand,
       nullif(m.model, '') AS model,
       m.diameter,
       m.state,
       m.installed_on,
       lm.located_at,
       m.account_id,
       a.number AS account_number,
       a.status,
       a.tariff,
       a.sector_id,
       a.route_id
  FROM maps_located_meters({env}) AS lm
  JOIN registry_meter AS m ON m.id = lm.meter_id
  LEFT JOIN registry_account AS a ON a.id = m.account_id
"""
