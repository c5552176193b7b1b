"""The set-based SQL that applies a staged padrón (temporary table stage_padron) to the registry.

The file's accounts are resolved once: those the registry already had (padron_existing, read
before anything is written) and those this import creates (padron_created, filled from the
INSERT's RETURNING). New accounts, their holders, meters and balances are plain INSERTs of rows
known to be new; accounts the registry had go through the compare-and-update statements, which
write only what changed (so re-importing a file changes nothing, not even the history), and only
what the file has columns for (``padron_sql(columns)``). Every
statement that changes an account the registry had records its number in padron_changed; the
accounts created are the rows of CREATE_ACCOUNTS.

No statement anti-joins a table it is filling: with the statistics of an empty table the
planner may scan it again for every row, which is quadratic."""

from collections.abc import Collection

TEMP_TABLES = (
    "stage_padron",
    "padron_existing",
    "padron_created",
    "padron_changed",
    "padron_new_balance",
    "padron_known_serial",
    "new_holder",
    "holder_for_existing",
)

TAKEN_METERS = """
    SELECT s.number, s.meter_serial, a.number
    FROM stage_padron s
    JOIN registry_meter m ON m.serial = s.meter_serial
    JOIN registry_account a ON a.id = m.account_id
    WHERE s.meter_serial <> '' AND a.number <> s.number
    ORDER BY s.number
"""

RESOLVE_EXISTING = [
    """
    CREATE TEMP TABLE padron_existing ON COMMIT DROP AS
    SELECT s.number, a.id AS account_id, a.holder_id
    FROM stage_padron s JOIN registry_account a ON a.number = s.number
    """,
    "ANALYZE padron_existing",
    """
    CREATE TEMP TABLE padron_known_serial ON COMMIT DROP AS
    SELECT m.serial FROM stage_padron s JOIN registry_meter m ON m.serial = s.meter_serial
    WHERE s.meter_serial <> ''
    """,
    "ANALYZE padron_known_serial",
    "CREATE TEMP TABLE padron_created (number text, account_id bigint) ON COMMIT DROP",
    "CREATE TEMP TABLE padron_changed (number text) ON COMMIT DROP",
    "CREATE TEMP TABLE padron_new_balance (account_id bigint) ON COMMIT DROP",
]

# The balances at the cut-off of the staged rows of the accounts in `accounts` (padron_created
# or padron_existing), as one INSERT of registry_collectionsnapshot (aliased c).
BALANCES_OF = """
        INSERT INTO registry_collectionsnapshot AS c (
            account_id, as_of, balance, months_overdue, days_overdue, last_payment_on,
            last_payment_amount, payment_agreement)
        SELECT p.account_id, %(as_of)s, s.balance, coalesce(s.months_overdue, 0),
               coalesce(s.months_overdue, 0) * 30, s.last_payment_on, NULL, false
        FROM stage_padron s JOIN {accounts} p ON p.number = s.number
        WHERE s.balance IS NOT NULL"""

# A new account gets a new holder, written with it (not set by a second pass over the accounts).
# The holder sequence is looked up once (a subquery), not once per row.
NEW_HOLDERS = """
    CREATE TEMP TABLE new_holder ON COMMIT DROP AS
    SELECT nextval((SELECT pg_get_serial_sequence('registry_holder', 'id'))::regclass)
           AS holder_id,
           s.number, s.holder_name
    FROM stage_padron s
    WHERE s.holder_name <> ''
      AND NOT EXISTS (SELECT 1 FROM padron_existing e WHERE e.number = s.number)
"""

CREATE_ACCOUNTS = """
    WITH created AS (
        INSERT INTO registry_account (
            number, tariff, giro, status, service_water, service_sewer, service_sanitation,
            metered, dwellings, opened_on, billing_street, billing_ext_number,
            billing_int_number, billing_colonia, billing_postal_code, billing_cadastral_key,
            sector_id, route_id, connection_point, attributes, holder_id)
        SELECT s.number, s.tariff, s.giro, s.status, true, true, false,
               s.meter_serial <> '', s.dwellings, s.opened_on, s.billing_street,
               s.billing_ext_number, s.billing_int_number, s.billing_colonia,
               s.billing_postal_code, s.billing_cadastral_key, se.id, r.id,
               s.point::geometry, s.attributes, n.holder_id
        FROM stage_padron s
        LEFT JOIN new_holder n ON n.number = s.number
        LEFT JOIN registry_sector se ON se.code = s.sector
        LEFT JOIN registry_readingroute r ON r.sector_id = se.id AND r.code = s.route
        WHERE NOT EXISTS (SELECT 1 FROM padron_existing e WHERE e.number = s.number)
        RETURNING id, number
    )
    INSERT INTO padron_created (number, account_id) SELECT number, id FROM created
"""

# The columns of an account the registry had that a file column gives: (file column, account
# column, its new value). A file without the column leaves them as they are; a new account takes
# the staged values, the defaults. (The connection point needs both lat and lon; the staged
# attributes replace those of the file's own unknown columns, ``%(file_attributes)s``, and keep
# the others: a file without them keeps what an earlier one gave.)
ACCOUNT_COLUMNS = (
    ("tarifa", "tariff", "s.tariff"),
    ("giro", "giro", "s.giro"),
    ("estatus", "status", "s.status"),
    ("medidor_serie", "metered", "s.meter_serial <> ''"),
    ("num_viviendas", "dwellings", "s.dwellings"),
    ("fecha_alta", "opened_on", "s.opened_on"),
    ("calle", "billing_street", "s.billing_street"),
    ("numero_ext", "billing_ext_number", "s.billing_ext_number"),
    ("numero_int", "billing_int_number", "s.billing_int_number"),
    ("colonia", "billing_colonia", "s.billing_colonia"),
    ("codigo_postal", "billing_postal_code", "s.billing_postal_code"),
    ("clave_catastral", "billing_cadastral_key", "s.billing_cadastral_key"),
    ("sector", "sector_id", "se.id"),
    ("ruta", "route_id", "r.id"),
    ("lat", "connection_point", "s.point::geometry"),
    ("", "attributes", "(a.attributes - %(file_attributes)s::text[]) || s.attributes"),
)

# A file with routes and no sectors: its routes are those of the sectors the accounts have.
SECTORS_OF_EXISTING = """
    UPDATE stage_padron s SET sector = se.code
    FROM registry_account a JOIN registry_sector se ON se.id = a.sector_id
    WHERE a.number = s.number
"""


def update_accounts(columns: Collection[str]) -> str:
    """The UPDATE of the accounts the registry had, by a file with ``columns``: only what the
    file gives, and only where it changed."""
    given = [
        (target, value)
        for column, target, value in ACCOUNT_COLUMNS
        if not column or (column in columns and (column != "lat" or "lon" in columns))
    ]
    if "sector" in columns and "ruta" not in columns:
        # A route belongs to its sector: the account keeps its route while it keeps its sector.
        given.append(("route_id", "CASE WHEN se.id = a.sector_id THEN a.route_id END"))
    targets = ", ".join(f"a.{target}" for target, _value in given)
    values = ", ".join(value for _target, value in given)
    return f"""
    WITH updated AS (
        UPDATE registry_account a SET
            {", ".join(f"{target} = {value}" for target, value in given)}
        FROM stage_padron s
        JOIN padron_existing p ON p.number = s.number
        LEFT JOIN registry_sector se ON se.code = s.sector
        LEFT JOIN registry_readingroute r ON r.sector_id = se.id AND r.code = s.route
        WHERE a.id = p.account_id
          AND ({targets}) IS DISTINCT FROM ({values})
        RETURNING a.number
    )
    INSERT INTO padron_changed SELECT number FROM updated
    """


def kept_unless(column: str, columns: Collection[str], new: str, old: str) -> str:
    """``new`` when the file has ``column``, else ``old`` (the stored value, left alone)."""
    return new if column in columns else old


def padron_sql(columns: Collection[str]) -> list[str]:
    """The statements that apply a staged file whose known columns are ``columns``, in order
    (as many whatever the columns)."""
    brand = kept_unless("medidor_marca", columns, "EXCLUDED.brand", "m.brand")
    diameter = kept_unless("medidor_diametro", columns, "EXCLUDED.diameter", "m.diameter")
    months = kept_unless("meses_adeudo", columns, "EXCLUDED.months_overdue", "c.months_overdue")
    days = kept_unless("meses_adeudo", columns, "EXCLUDED.days_overdue", "c.days_overdue")
    paid = kept_unless("ultimo_pago", columns, "EXCLUDED.last_payment_on", "c.last_payment_on")
    return [
        *RESOLVE_EXISTING,
        """
        INSERT INTO registry_sector (code, name)
        SELECT DISTINCT sector, '' FROM stage_padron WHERE sector <> ''
        ON CONFLICT (code) DO NOTHING
        """,
        """
        INSERT INTO registry_readingroute (sector_id, code, periodicity, reader)
        SELECT DISTINCT se.id, s.route, 'mensual', ''
        FROM stage_padron s JOIN registry_sector se ON se.code = s.sector
        WHERE s.route <> ''
        ON CONFLICT (sector_id, code) DO NOTHING
        """,
        NEW_HOLDERS,
        "ANALYZE new_holder",
        "INSERT INTO registry_holder (id, full_name) SELECT holder_id, holder_name FROM new_holder",
        CREATE_ACCOUNTS,
        update_accounts(columns),
        "ANALYZE padron_created",
        # Holders of accounts the registry had: renamed in place; an account without one gets
        # one.
        """
        WITH renamed AS (
            UPDATE registry_holder h SET full_name = s.holder_name
            FROM stage_padron s JOIN padron_existing p ON p.number = s.number
            WHERE h.id = p.holder_id AND s.holder_name <> ''
              AND h.full_name <> s.holder_name
            RETURNING p.number
        )
        INSERT INTO padron_changed SELECT number FROM renamed
        """,
        """
        CREATE TEMP TABLE holder_for_existing ON COMMIT DROP AS
        SELECT nextval((SELECT pg_get_serial_sequence('registry_holder', 'id'))::regclass)
               AS holder_id,
               p.account_id, s.holder_name
        FROM stage_padron s JOIN padron_existing p ON p.number = s.number
        WHERE p.holder_id IS NULL AND s.holder_name <> ''
        """,
        """
        INSERT INTO registry_holder (id, full_name)
        SELECT holder_id, holder_name FROM holder_for_existing
        """,
        """
        WITH linked AS (
            UPDATE registry_account a SET holder_id = n.holder_id
            FROM holder_for_existing n WHERE a.id = n.account_id
            RETURNING a.number
        )
        INSERT INTO padron_changed SELECT number FROM linked
        """,
        # Meters: an account whose meter serial changed retires the old one; a serial already
        # on another account is left there (reported), never silently moved. A file without
        # brand or diameter leaves those of the meters it has alone.
        """
        WITH retired AS (
            UPDATE registry_meter m SET state = 'retirado'
            FROM stage_padron s JOIN padron_existing p ON p.number = s.number
            WHERE m.account_id = p.account_id AND m.state <> 'retirado'
              AND s.meter_serial <> '' AND m.serial <> s.meter_serial
            RETURNING p.number
        )
        INSERT INTO padron_changed SELECT number FROM retired
        """,
        """
        INSERT INTO registry_meter (serial, brand, model, diameter, state, account_id)
        SELECT s.meter_serial, s.meter_brand, '', s.meter_diameter, 'funcionando', p.account_id
        FROM stage_padron s JOIN padron_created p ON p.number = s.number
        WHERE s.meter_serial <> ''
          AND NOT EXISTS (SELECT 1 FROM padron_known_serial k WHERE k.serial = s.meter_serial)
        """,
        f"""
        WITH upserted AS (
            INSERT INTO registry_meter AS m (serial, brand, model, diameter, state, account_id)
            SELECT s.meter_serial, s.meter_brand, '', s.meter_diameter, 'funcionando', p.account_id
            FROM stage_padron s JOIN padron_existing p ON p.number = s.number
            WHERE s.meter_serial <> ''
            ON CONFLICT (serial) DO UPDATE SET brand = {brand}, diameter = {diameter}
            WHERE m.account_id = EXCLUDED.account_id
              AND (m.brand, m.diameter) IS DISTINCT FROM ({brand}, {diameter})
            RETURNING m.account_id
        )
        INSERT INTO padron_changed
        SELECT p.number FROM upserted u JOIN padron_existing p ON p.account_id = u.account_id
        """,
        # Balances at the cut-off date. A balance at a cut-off the account had no balance for is
        # a new monthly fact, counted apart (padron_new_balance), not a change to the account;
        # one that replaces the balance of the same cut-off (a corrected export) changes it,
        # what the file gives of it (a file without meses_adeudo keeps the months stored).
        f"""
        WITH inserted AS (
            {BALANCES_OF.format(accounts="padron_created")}
            RETURNING account_id
        )
        INSERT INTO padron_new_balance SELECT account_id FROM inserted
        """,
        # xmax is 0 on a row the INSERT wrote and the updating transaction's id on a row ON
        # CONFLICT updated: what tells a new cut-off's balance from a corrected one in one
        # statement.
        f"""
        WITH upserted AS (
            {BALANCES_OF.format(accounts="padron_existing")}
            ON CONFLICT (account_id, as_of) DO UPDATE SET
                balance = EXCLUDED.balance, months_overdue = {months},
                days_overdue = {days}, last_payment_on = {paid}
            WHERE (c.balance, c.months_overdue, c.last_payment_on)
                  IS DISTINCT FROM (EXCLUDED.balance, {months}, {paid})
            RETURNING c.account_id, c.xmax = 0 AS new
        ), corrected AS (
            INSERT INTO padron_changed
            SELECT p.number FROM upserted u JOIN padron_existing p ON p.account_id = u.account_id
            WHERE NOT u.new
        )
        INSERT INTO padron_new_balance SELECT account_id FROM upserted WHERE new
        """,
    ]


COUNT_UPDATED = """
    SELECT (SELECT count(DISTINCT number) FROM padron_changed),
           (SELECT count(*) FROM padron_new_balance)
"""
