-- Linking queries, run in this order by gis_backend/linking/linker.py inside one transaction.
-- Each statement follows a 'step' marker comment naming its step; {{MIN_SCORE}},
-- {{AMBIGUITY_MARGIN}} and {{BEST_STREET_MARGIN}} are replaced by the linker's thresholds. The
-- working tables lk_* are unlogged tables of the linking schema, which parallel workers read,
-- dropped before the run commits (workspace.py).

-- step: parcel_segments
-- The steps parcel_segments and parcel_streets prepare the parcel-side inputs that runs keep
-- (lk_parcel_segment and lk_parcel in the schema linking_inputs, gis_backend/linking/inputs.py):
-- they run only when the parcels, their colonias or the street segments changed.
DROP TABLE IF EXISTS linking_inputs.lk_parcel_segment;

-- step: parcel_segments
-- Every street segment within 30 m of every parcel, with its distance: one spatial join, driven
-- by the segments (a tenth as many index probes as by the parcels), that the parcel-street and
-- frontage steps read instead of probing the street layer once per parcel. A plain join, which
-- PostgreSQL runs in parallel (17.7 s -> 11.2 s at a million parcels; the same rows).
CREATE UNLOGGED TABLE linking_inputs.lk_parcel_segment AS
SELECT p.id AS parcel_id, s.id AS segment_id, s.name_normalized AS name,
       ST_Distance(p.geom, s.geom) AS distance
FROM registry_streetsegment s
JOIN registry_parcel p ON p.geom && ST_Expand(s.geom, 30)
WHERE ST_Distance(p.geom, s.geom) <= 30;

-- step: parcel_segments
CREATE INDEX ON lk_parcel_segment (parcel_id);

-- step: parcel_segments
ANALYZE lk_parcel_segment;

-- step: parcel_streets
-- Cadastral layers often write a parcel's street without its type ("Alvaro Obregon" for a
-- "Cerrada Alvaro Obregon"): take the type from the nearest segment of that name. Found by a
-- query PostgreSQL may run in parallel (an UPDATE never does), then written.
CREATE UNLOGGED TABLE lk_typed_street AS
SELECT DISTINCT ON (untyped.parcel_id) untyped.parcel_id, near.name
FROM lk_parcel untyped
JOIN lk_parcel_segment near ON near.parcel_id = untyped.parcel_id
WHERE NOT untyped.typed AND untyped.street_key IS NOT NULL
  AND near.name LIKE '% ' || untyped.street_key
  AND NOT EXISTS (
      SELECT 1 FROM lk_parcel_segment same
      WHERE same.parcel_id = untyped.parcel_id AND same.name = untyped.street_key
  )
ORDER BY untyped.parcel_id, near.distance, near.segment_id;

-- step: parcel_streets
UPDATE lk_parcel lp SET street_key = fix.name
FROM lk_typed_street fix
WHERE fix.parcel_id = lp.parcel_id;

-- step: parcel_streets
-- A cadastre that gives its parcels no colonia: each takes the colonia of its frontage, the
-- nearest segment of its street (else the nearest) whose street layer names one. Without it,
-- a street name and number that repeat in several colonias (most towns have several
-- 'Hidalgo 12') stay ambiguous for every account.
UPDATE lk_parcel lp SET colonia_key = frontage.colonia_key
FROM (
    SELECT DISTINCT ON (near.parcel_id) near.parcel_id, parse.colonia_key
    FROM lk_parcel p
    JOIN lk_parcel_segment near ON near.parcel_id = p.parcel_id
    JOIN registry_streetsegment s ON s.id = near.segment_id
    JOIN registry_colonia c ON c.id = s.colonia_id
    JOIN lk_colonia_parse parse ON parse.raw = c.name AND parse.colonia_key IS NOT NULL
    WHERE p.colonia_key IS NULL
    ORDER BY near.parcel_id, near.name = p.street_key DESC, near.distance, near.segment_id
) frontage
WHERE frontage.parcel_id = lp.parcel_id;

-- step: parcel_streets
-- The statistics of the streets and colonias just written: a cadastre without colonias had
-- none when the parcels were staged, and the planner, taking every parcel for one without,
-- nested the address candidates in another colonia over a hundred thousand parcels (7 s at
-- 30,000 accounts; 0.1 s with them).
ANALYZE lk_parcel;

-- step: parcel_streets
-- The gaps in the parcels' numbering, for the interpolation between numbered neighbours (step
-- candidates): each pair of consecutive numbers of a parity on a street and colonia (at most 20
-- apart and 150 m apart), each number between them placed on the line between the two parcels'
-- label points, and the unnumbered parcel found there. Where the numbering jumps beyond the
-- pair (a town that numbers each block from its hundred: 516, 518, then 602 across the cross
-- street), the numbers up to one step of the pair beyond it are placed on the same line,
-- extended: the unnumbered parcel at the end or the start of a block (a little weaker, bonus 0).
-- Computed once for the town and kept with the parcels' inputs; each account then finds its
-- number by street, colonia and number, an equality (probing the nearest numbers below and
-- above for every account and street took 18-49 s at a million accounts). Nothing where every
-- parcel has its number.
DROP TABLE IF EXISTS linking_inputs.lk_gap;

-- step: parcel_streets
CREATE UNLOGGED TABLE linking_inputs.lk_gap AS
SELECT g.street_key, g.colonia_key, g.number, g.bonus, near.id AS parcel_id
FROM (
    SELECT n.street_key, n.colonia_key, placed.number, placed.bonus,
           ST_Translate(a, (ST_X(b) - ST_X(a)) * placed.t, (ST_Y(b) - ST_Y(a)) * placed.t)
               AS point
    FROM (
        -- Only the pairs with numbers to place (most pairs, two apart inside a block, have
        -- none), before their parcels are read and their label points computed.
        SELECT * FROM (
            SELECT p.parcel_id, p.street_key, p.colonia_key, p.number,
                   lag(p.number) OVER by_number AS number_before,
                   lead(p.number) OVER by_number AS next_number,
                   lead(p.number, 2) OVER by_number AS number_after,
                   lead(p.parcel_id) OVER by_number AS next_id
            FROM lk_parcel p
            WHERE p.number IS NOT NULL AND p.street_key IS NOT NULL
              AND p.colonia_key IS NOT NULL
              AND EXISTS (SELECT 1 FROM lk_parcel WHERE number IS NULL)
            WINDOW by_number AS (PARTITION BY p.street_key, p.colonia_key, p.number % 2
                                 ORDER BY p.number, p.parcel_id)
        ) numbered
        WHERE next_number - number BETWEEN 2 AND 20
          AND (next_number - number >= 4
               OR number_after IS NULL OR number_after - next_number > 20
               OR number_before IS NULL OR number - number_before > 20)
        OFFSET 0
    ) n
    JOIN registry_parcel lo ON lo.id = n.parcel_id
    JOIN registry_parcel hi ON hi.id = n.next_id
    CROSS JOIN LATERAL (
        SELECT ST_PointOnSurface(lo.geom) AS a, ST_PointOnSurface(hi.geom) AS b,
               n.next_number - n.number AS step
    ) pair
    CROSS JOIN LATERAL (
        SELECT c AS number, (c - n.number)::float / pair.step AS t, bonus
        FROM (
            SELECT c, 0.05 AS bonus
            FROM generate_series(n.number + 2, n.next_number - 2, 2) AS c
            UNION ALL
            SELECT c, 0 FROM generate_series(n.next_number + 2, n.next_number + pair.step, 2) AS c
            WHERE n.number_after IS NULL OR n.number_after - n.next_number > 20
            UNION ALL
            SELECT c, 0 FROM generate_series(n.number - pair.step, n.number - 2, 2) AS c
            WHERE c > 0 AND (n.number_before IS NULL OR n.number - n.number_before > 20)
        ) numbers
    ) placed
    WHERE ST_DWithin(lo.geom, hi.geom, 150)
    -- each point computed once: else the planner writes its expression (four label points)
    -- into the index probe below three times (16 s -> 11 s at a million parcels)
    OFFSET 0
) g
CROSS JOIN LATERAL (
    SELECT p.id FROM registry_parcel p
    WHERE ST_DWithin(p.geom, g.point, 8)
    ORDER BY p.geom <-> g.point LIMIT 1
) near
JOIN lk_parcel target
  ON target.parcel_id = near.id AND target.number IS NULL
 AND (target.street_key IS NULL OR target.street_key = g.street_key);

-- step: parcel_streets
ANALYZE lk_gap;

-- step: candidates
-- The candidates of every source (account, parcel, method, score), first those of the
-- coordinates: the parcels within 8 m of the connection point. A point deep inside a parcel is
-- strong evidence; one near a boundary (tomas sit at the front, often by the party wall) or in
-- the street is weak, and only other evidence can tell the neighbours apart. One plain join
-- that creates the table: PostgreSQL runs it in parallel (an INSERT … SELECT never is; the
-- join, then an INSERT keeping each point's four nearest, took 9 s at a million accounts, this
-- 7.7 s; a point with more than four parcels within 8 m is one in 250).
CREATE UNLOGGED TABLE lk_candidate AS
SELECT acc.id AS account_id, p.id AS parcel_id, 'coordenadas'::text AS method,
       (CASE WHEN ST_Intersects(p.geom, acc.connection_point)
             THEN 0.62 + 0.28 * least(ST_Distance(ST_Boundary(p.geom), acc.connection_point), 4) / 4
             ELSE greatest(0.3, 0.6 - 0.04 * ST_Distance(p.geom, acc.connection_point))
        END)::real AS score
FROM registry_account acc
JOIN registry_parcel p ON ST_DWithin(p.geom, acc.connection_point, 8)
WHERE acc.connection_point IS NOT NULL;

-- step: candidates
-- Every account's cadastral key with the parcel that has it, if any: those that have none are
-- looked for below as keys written another way.
CREATE UNLOGGED TABLE lk_key_match AS
SELECT a.account_id, p.parcel_id, a.street_key AS account_street, p.street_key AS parcel_street,
       a.number AS account_number, p.number AS parcel_number, p.number_to AS parcel_number_to
FROM lk_account a LEFT JOIN lk_parcel p ON p.cadastral_key = a.cadastral_key
WHERE a.cadastral_key IS NOT NULL;

-- step: candidates
ANALYZE lk_key_match;

-- step: candidates
-- The parcels the keys name, with the account's street and number and the parcel's (for the
-- doubtful keys below).
CREATE UNLOGGED TABLE lk_key_found AS
SELECT account_id, parcel_id, 0.9::real AS score, account_street, parcel_street,
       account_number, parcel_number, parcel_number_to
FROM lk_key_match WHERE parcel_id IS NOT NULL;

-- step: candidates
-- A cadastral key no parcel has, written another way: the same groups with or without leading
-- zeros or a trailing '000', or without the leading groups (state, municipality) of the
-- parcel's key (registry_key_groups, registry/migrations/0006); a little weaker than the key
-- as written. The groups of those accounts' keys, computed once each (and in parallel): in the
-- join, per row and on one core, they took 54 s for a town whose padrón writes every key so.
CREATE UNLOGGED TABLE lk_key_other AS
SELECT u.account_id, u.account_street, u.account_number, g.key_groups,
       registry_key_tail(g.key_groups) AS key_tail
FROM lk_key_match u
JOIN registry_account a ON a.id = u.account_id
CROSS JOIN LATERAL (SELECT registry_key_groups(a.billing_cadastral_key) AS key_groups) g
WHERE u.parcel_id IS NULL;

-- step: candidates
-- The parcels with the same last three groups (their groups staged with the parcels, prepare.py).
INSERT INTO lk_key_found
SELECT k.account_id, p.parcel_id, 0.85, k.account_street, p.street_key, k.account_number,
       p.number, p.number_to
FROM lk_key_other k
JOIN lk_parcel p ON p.key_tail = k.key_tail
WHERE p.key_groups = k.key_groups
   OR p.key_groups LIKE '%-' || k.key_groups
   OR k.key_groups LIKE '%-' || p.key_groups;

-- step: candidates
-- A key written as one group, without separators, that lost its leading zeros: a spreadsheet
-- took '0110110010080' for a number and kept '110110010080'. Its groups are the key without
-- those zeros (registry_key_groups), which the cadastre's key of one group has too; equal
-- whole keys, not a part of a longer one. (Nothing to join where no such key is left.)
INSERT INTO lk_key_found
SELECT k.account_id, p.parcel_id, 0.85, k.account_street, p.street_key, k.account_number,
       p.number, p.number_to
FROM lk_key_other k
JOIN lk_parcel p ON p.key_groups = k.key_groups
WHERE k.key_tail IS NULL AND position('-' in k.key_groups) = 0
  AND EXISTS (SELECT 1 FROM lk_key_other o
              WHERE o.key_tail IS NULL AND position('-' in o.key_groups) = 0);

-- step: candidates
-- A cadastral key mistyped in the billing system names another parcel, typically on another
-- street, often in the same block. Where the parcel a key names fronts no street like the
-- account's (its own street and the segments within 8 m of it: a corner parcel listed on its
-- other street is not doubted, the street behind the block is not a frontage), or that is on
-- the account's street with another number (outside a numbered range), the key is doubtful:
-- 0.25 less, under an address interpolated on the account's own street, still above
-- {{MIN_SCORE}} when nothing else is found. The streets are looked up by index only where the
-- two differ (a few per cent of the keys; OFFSET 0 keeps the planner from hashing every
-- parcel's segments with every street instead, 8.3 s): joining every key with the streets took
-- 3.2 s at a million accounts, an UPDATE probing them per key 12-13 s.
INSERT INTO lk_candidate
SELECT f.account_id, f.parcel_id, 'clave_catastral',
       f.score - CASE WHEN (f.account_street <> f.parcel_street
                            AND NOT EXISTS (
                                SELECT 1 FROM lk_street_map m
                                WHERE m.account_key = f.account_street
                                  AND m.known_key = f.parcel_street
                                OFFSET 0)
                            AND NOT EXISTS (
                                SELECT 1 FROM lk_parcel_segment s
                                JOIN lk_street_map m ON m.known_key = s.name
                                WHERE s.parcel_id = f.parcel_id AND s.distance <= 8
                                  AND m.account_key = f.account_street
                                OFFSET 0))
                        OR (f.account_street = f.parcel_street
                            AND f.account_number NOT BETWEEN f.parcel_number
                                AND coalesce(f.parcel_number_to, f.parcel_number))
                      THEN 0.25 ELSE 0 END
FROM lk_key_found f;

-- step: colonias
CREATE UNLOGGED TABLE lk_parcel_colonia AS
SELECT DISTINCT colonia_key FROM lk_parcel WHERE colonia_key IS NOT NULL;

-- step: colonias
CREATE INDEX ON lk_parcel_colonia USING gin (colonia_key gin_trgm_ops);

-- step: colonias
ANALYZE lk_parcel_colonia;

-- step: colonias
-- The trigram index finds the similar keys (pg_trgm's % operator, its threshold a little under
-- the similarity asked for below) instead of comparing every pair: 5,375 × 5,000 keys at a
-- million accounts took 5-6 s.
SET LOCAL pg_trgm.similarity_threshold = 0.45;

-- step: colonias
-- Colonias alike (equal or trigram similarity >= 0.5), computed once per distinct pair of keys
-- rather than once per candidate; the linker adds those one or two letters apart
-- (linker.add_misspelt_colonias). A colonia the cadastre has by that very name is that colonia:
-- its like-named neighbours ('La Purísima Oriente' beside 'La Purísima', 'Merino 4' beside
-- 'Merino') are other colonias, else a street and number repeated there outranked the
-- account's own parcel where that one carries no number (1.6 % of a million accounts linked
-- to the neighbour, their coordinates or cadastral key naming their own parcel). Only a name
-- the cadastre lacks, a misspelling or a colonia written short, is read as its like names.
CREATE UNLOGGED TABLE lk_colonia_alike AS
WITH account_colonia AS (
    SELECT DISTINCT colonia_key FROM lk_account WHERE colonia_key IS NOT NULL
)
SELECT a.colonia_key AS account_colonia, p.colonia_key AS parcel_colonia
FROM account_colonia a JOIN lk_parcel_colonia p ON p.colonia_key = a.colonia_key
UNION
SELECT a.colonia_key, p.colonia_key
FROM account_colonia a JOIN lk_parcel_colonia p ON p.colonia_key % a.colonia_key
WHERE similarity(a.colonia_key, p.colonia_key) >= 0.5
  AND NOT EXISTS (SELECT 1 FROM lk_parcel_colonia e WHERE e.colonia_key = a.colonia_key);

-- step: colonias
RESET pg_trgm.similarity_threshold;

-- step: colonias
CREATE UNIQUE INDEX ON lk_colonia_alike (account_colonia, parcel_colonia);

-- step: candidates
ANALYZE lk_colonia_alike;

-- step: candidates
-- Address: the account's street (lk_street_map) and exterior number against the parcels'
-- official addresses. A parcel in the same colonia scores 0.07 more, in a similar one (a
-- misspelling, or a name the cadastre lacks written like one it has: 'PURISIMA' for 'La
-- Purísima Oriente' where there is no La Purísima) 0.03 more, one whose colonia (or the
-- account's) is unknown nothing more, one in another colonia 0.2 less. In a large town a street name and number repeat in many colonias, so matches in
-- another colonia (at most 0.88 - 0.2 = 0.68) are looked for only where they can change the
-- outcome: for accounts whose best candidate so far is under 0.68 + {{AMBIGUITY_MARGIN}} (there
-- they may win or be a rival), and for parcels that other evidence (cadastral key,
-- coordinates) already names, with which they combine.
-- First, the parcels in the same or a similar colonia, through the streets that exist in each
-- colonia: (account street, account colonia) -> (known street, parcel colonia), then the
-- parcels of that street, colonia and number. In each colonia, only the streets that match
-- about as well as its best (within {{BEST_STREET_MARGIN}}: a street type written or left out
-- costs 0.1, a name inside another 0.15, so against an exact best match the one is kept and the
-- other dropped; against a best match that itself lacks its type both are kept, and the
-- ranking decides): where a colonia has both 'Guadalupe Victoria' and 'Guadalupe',
-- 'GUADALUPE VICTORIA 501' is not the other street's 501 because its own parcel carries no
-- number.
CREATE UNLOGGED TABLE lk_street_colonia AS
SELECT account_key, account_colonia, known_key, sim, parcel_colonia
FROM (
    SELECT ac.street_key AS account_key, ac.colonia_key AS account_colonia, m.known_key, m.sim,
           alike.parcel_colonia,
           max(m.sim) OVER (PARTITION BY ac.street_key, ac.colonia_key, alike.parcel_colonia)
               AS best
    FROM (
        SELECT DISTINCT street_key, colonia_key FROM lk_account
        WHERE street_key IS NOT NULL AND colonia_key IS NOT NULL AND number IS NOT NULL
    ) ac
    JOIN lk_street_map m ON m.account_key = ac.street_key
    JOIN lk_colonia_alike alike ON alike.account_colonia = ac.colonia_key
    JOIN (
        SELECT DISTINCT street_key, colonia_key FROM lk_parcel
        WHERE street_key IS NOT NULL AND colonia_key IS NOT NULL AND number IS NOT NULL
    ) pc ON pc.street_key = m.known_key AND pc.colonia_key = alike.parcel_colonia
) streets
WHERE sim >= best - {{BEST_STREET_MARGIN}};

-- step: candidates
CREATE INDEX ON lk_street_colonia (account_key, account_colonia);

-- step: candidates
ANALYZE lk_street_colonia;

-- step: candidates
-- The planner underestimates this join a thousandfold and memoizes the parcels of each street
-- and colonia, then compares every account's number with every parcel of its street: 200
-- million comparisons at a million accounts (12 s). Without memoize it sorts and merges on the
-- three keys (5.4 s, the same 1,194,474 rows).
SET LOCAL enable_memoize = off;

-- step: candidates
-- It also takes the accounts' (street, colonia) pairs for a few tens of thousands and probes the
-- parcels of each street and number one pair at a time: where a street name and number repeat
-- in many colonias (a large town), each probe reads them all (37 s for 1.3 million probes).
SET LOCAL enable_nestloop = off;

-- step: candidates
-- Hashed on all three keys, not sorted and merged: the two sorts of a million accounts by the
-- names of their street and colonia took 2.3 s (the statement 4.5 s -> 2.4 s at a million
-- accounts).
SET LOCAL enable_mergejoin = off;

-- step: candidates
-- Each account's (street, colonia) pairs first (OFFSET 0 keeps them apart), then the parcels of
-- each pair with the account's number, on all three keys: left to itself, the planner joined
-- the pairs with their parcels first and merged the accounts on street and colonia alone,
-- comparing 200 million numbers where a cadastre without colonias takes them from the frontage
-- (40 s at a million accounts).
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * a.sim + CASE WHEN a.parcel_colonia = a.account_colonia THEN 0.07 ELSE 0.03 END
       + CASE WHEN a.suffix = p.suffix THEN 0 ELSE -0.05 END
FROM (
    SELECT a.account_id, a.number, a.suffix, sc.known_key, sc.sim, sc.parcel_colonia,
           sc.account_colonia
    FROM lk_account a
    JOIN lk_street_colonia sc
      ON sc.account_key = a.street_key AND sc.account_colonia = a.colonia_key
    WHERE a.number IS NOT NULL
    OFFSET 0
) a
JOIN lk_parcel p
  ON p.street_key = a.known_key AND p.colonia_key = a.parcel_colonia AND p.number = a.number;

-- step: candidates
RESET enable_memoize;

-- step: candidates
RESET enable_nestloop;

-- step: candidates
RESET enable_mergejoin;

-- step: candidates
-- Accounts without a colonia: every parcel of that street and number, on the streets of the
-- town that match about as well as the account's best ('GARDENIAS 508' is not 'Lázaro Cárdenas
-- 508' where the town has a Gardenias).
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * m.sim + CASE WHEN a.suffix = p.suffix THEN 0 ELSE -0.05 END
FROM lk_account a
JOIN (
    SELECT *, max(sim) OVER (PARTITION BY account_key) AS best FROM lk_street_map
) m ON m.account_key = a.street_key AND m.sim >= m.best - {{BEST_STREET_MARGIN}}
JOIN lk_parcel p ON p.street_key = m.known_key AND p.number = a.number
WHERE a.number IS NOT NULL AND a.colonia_key IS NULL;

-- step: candidates
-- Parcels without a colonia.
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * m.sim + CASE WHEN a.suffix = p.suffix THEN 0 ELSE -0.05 END
FROM (SELECT * FROM lk_parcel WHERE colonia_key IS NULL AND street_key IS NOT NULL) p
JOIN lk_street_map m ON m.known_key = p.street_key
JOIN lk_account a ON a.street_key = m.account_key AND a.number = p.number
WHERE a.colonia_key IS NOT NULL;

-- step: candidates
-- Parcels numbered as a range or a pair ('12-14', '20 Y 22': a double lot, a corner): the
-- numbers after the first, on its side of the street (the first matched above). A little
-- weaker than the number itself; a colonia that is another one rules it out.
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * m.sim - 0.03
       + CASE WHEN p.colonia_key = a.colonia_key THEN 0.07
              WHEN alike.parcel_colonia IS NOT NULL THEN 0.03 ELSE 0 END
FROM (SELECT * FROM lk_parcel WHERE number_to IS NOT NULL) p
JOIN lk_street_map m ON m.known_key = p.street_key
JOIN lk_account a
  ON a.street_key = m.account_key AND a.number > p.number AND a.number <= p.number_to
 AND (a.number - p.number) % 2 = 0
LEFT JOIN lk_colonia_alike alike
  ON alike.account_colonia = a.colonia_key AND alike.parcel_colonia = p.colonia_key
WHERE alike.parcel_colonia IS NOT NULL OR a.colonia_key IS NULL OR p.colonia_key IS NULL;

-- step: candidates
-- Manzana and lote: where a fraccionamiento or a colonia popular numbers its lots by block and
-- lot ('MZ 3 LT 12', 'Mza. 3 Lote 12'), billing files and cadastral layers give that instead of
-- a number, often without a street or with one the layer names otherwise. Block and lot repeat
-- from one fraccionamiento to the next, so they count in the same or a similar colonia (scored
-- 0.8, up to 0.88 as the street agrees), or on the same street where a colonia is
-- unknown. A lote written without its manzana (on either side) needs the street to agree, and
-- scores 0.05 less: the street may cross several manzanas.
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.8 + coalesce(0.08 * m.sim, 0)
       + CASE WHEN alike.parcel_colonia = a.colonia_key THEN 0.07 ELSE 0.03 END
       - CASE WHEN a.manzana = p.manzana THEN 0 ELSE 0.05 END
FROM lk_account a
JOIN lk_colonia_alike alike ON alike.account_colonia = a.colonia_key
JOIN lk_parcel p ON p.lote = a.lote AND p.colonia_key = alike.parcel_colonia
LEFT JOIN lk_street_map m ON m.account_key = a.street_key AND m.known_key = p.street_key
WHERE a.lote IS NOT NULL
  AND (a.manzana = p.manzana
       OR (m.sim IS NOT NULL AND (a.manzana IS NULL OR p.manzana IS NULL)))
UNION ALL
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * m.sim - CASE WHEN a.manzana = p.manzana THEN 0 ELSE 0.05 END
FROM lk_account a
JOIN lk_street_map m ON m.account_key = a.street_key
JOIN lk_parcel p ON p.lote = a.lote AND p.street_key = m.known_key
WHERE a.lote IS NOT NULL AND (a.colonia_key IS NULL OR p.colonia_key IS NULL)
  AND (a.manzana = p.manzana OR a.manzana IS NULL OR p.manzana IS NULL);

-- step: candidates
-- Accounts with a candidate that no match in another colonia could reach or rival (the
-- candidates filtered before their accounts are grouped: 1.5 s -> 1.0 s at a million accounts).
CREATE UNLOGGED TABLE lk_settled AS
SELECT DISTINCT account_id FROM lk_candidate
WHERE score > 0.68 + {{AMBIGUITY_MARGIN}};

-- step: candidates
CREATE UNIQUE INDEX ON lk_settled (account_id);

-- step: candidates
ANALYZE lk_settled;

-- step: candidates
-- Parcels in another colonia, for the other accounts whose street is not in their colonia: where
-- it is, the number is missing there (a parcel the cadastre left unnumbered), and the same
-- street name and number elsewhere is a namesake (most towns have several 'Niños Héroes').
INSERT INTO lk_candidate
SELECT a.account_id, p.parcel_id, 'direccion',
       0.88 * m.sim - 0.2 + CASE WHEN a.suffix = p.suffix THEN 0 ELSE -0.05 END
FROM (
    SELECT * FROM lk_account a
    WHERE a.number IS NOT NULL AND a.colonia_key IS NOT NULL AND a.street_key IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM lk_settled x WHERE x.account_id = a.account_id)
      AND NOT EXISTS (
          SELECT 1 FROM lk_street_colonia sc
          WHERE sc.account_key = a.street_key AND sc.account_colonia = a.colonia_key
      )
    OFFSET 0
) a
JOIN lk_street_map m ON m.account_key = a.street_key
JOIN lk_parcel p ON p.street_key = m.known_key AND p.number = a.number
WHERE p.colonia_key IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM lk_colonia_alike alike
      WHERE alike.account_colonia = a.colonia_key AND alike.parcel_colonia = p.colonia_key
  );

-- step: candidates
ANALYZE lk_candidate;

-- step: candidates
-- Parcels in another colonia that the cadastral key or the coordinates name, for every account:
-- there the address agrees with other evidence, namesake or not (the settled accounts and those
-- whose street is in their colonia have none from the statement above; for the others it gives
-- the same candidate again, as does a parcel that both name: harmless, a source counts its best
-- reading once). Three joins of a million rows or more for a few thousand: found by a query
-- PostgreSQL runs in parallel (an INSERT … SELECT never is), then appended.
CREATE UNLOGGED TABLE lk_named_elsewhere AS
SELECT c.account_id, c.parcel_id, 'direccion'::text AS method,
       0.88 * m.sim - 0.2 + CASE WHEN a.suffix = p.suffix THEN 0 ELSE -0.05 END AS score
FROM lk_candidate c
JOIN lk_account a ON a.account_id = c.account_id
JOIN lk_parcel p ON p.parcel_id = c.parcel_id AND p.number = a.number
JOIN lk_street_map m ON m.account_key = a.street_key AND m.known_key = p.street_key
WHERE c.method IN ('clave_catastral', 'coordenadas')
  -- a colonia alike is never another one; equal keys are alike (lk_colonia_alike)
  AND p.colonia_key <> a.colonia_key
  AND NOT EXISTS (
      SELECT 1 FROM lk_colonia_alike alike
      WHERE alike.account_colonia = a.colonia_key AND alike.parcel_colonia = p.colonia_key
  );

-- step: candidates
INSERT INTO lk_candidate SELECT account_id, parcel_id, method, score FROM lk_named_elsewhere;

-- step: candidates
-- Interpolation, for accounts without a good address match: the house number placed along each
-- segment of the street whose number range holds it, 12 m to the side of its parity. A segment
-- in the account's colonia, or in one the account's colonia reads as (lk_colonia_alike: never a
-- like-named neighbour of a colonia the cadastre has, 'La Purísima' for 'La Purísima Oriente'),
-- is the account's street; one in another colonia a namesake (0.2 less).
CREATE UNLOGGED TABLE lk_placed AS
WITH placed AS (
    SELECT a.account_id, a.number, m.sim, s.geom,
           CASE WHEN c.name_normalized IS NULL OR a.colonia_key IS NULL THEN 0
                WHEN c.name_normalized = a.colonia_key
                     OR EXISTS (SELECT 1 FROM lk_colonia_alike alike
                                WHERE alike.account_colonia = a.colonia_key
                                  AND alike.parcel_colonia = c.name_normalized) THEN 0.05
                ELSE -0.2 END AS colonia_bonus,
           r.side,
           CASE WHEN r.hi = r.lo THEN 0.5
                ELSE (a.number - r.first)::float / (r.last - r.first) END AS fraction
    FROM lk_account a
    JOIN lk_street_map m ON m.account_key = a.street_key
    JOIN registry_streetsegment s ON s.name_normalized = m.known_key
    LEFT JOIN registry_colonia c ON c.id = s.colonia_id
    CROSS JOIN LATERAL (
        VALUES (1, s.left_from, s.left_to, least(s.left_from, s.left_to), greatest(s.left_from, s.left_to)),
               (-1, s.right_from, s.right_to, least(s.right_from, s.right_to), greatest(s.right_from, s.right_to))
    ) AS r (side, first, last, lo, hi)
    WHERE a.number IS NOT NULL AND r.first IS NOT NULL
      AND a.number BETWEEN r.lo AND r.hi AND (a.number - r.first) % 2 = 0
      AND NOT EXISTS (
          SELECT 1 FROM lk_candidate x
          WHERE x.account_id = a.account_id AND x.method = 'direccion' AND x.score >= 0.8
      )
)
SELECT account_id, number, sim, colonia_bonus,
       ST_Translate(
           ST_LineInterpolatePoint(geom, fraction),
           side * -cos(azimuth) * 12, side * sin(azimuth) * 12
       ) AS point
FROM (
    SELECT *, ST_Azimuth(
               ST_LineInterpolatePoint(geom, greatest(fraction - 0.01, 0)),
               ST_LineInterpolatePoint(geom, least(fraction + 0.01, 1))) AS azimuth
    FROM placed
) with_direction;

-- step: candidates
-- The parcel at each point placed on a segment of the same, a similar or an unknown colonia:
-- the nearest that the cadastre left unnumbered or numbers so (a parcel with another official
-- number is not at this one: a segment drawn past its block's last lots puts the first and last
-- numbers of its range on their neighbours).
INSERT INTO lk_candidate
SELECT l.account_id, near.id, 'interpolacion', 0.72 * l.sim + l.colonia_bonus
FROM lk_placed l
CROSS JOIN LATERAL (
    SELECT p.id FROM registry_parcel p
    JOIN lk_parcel lp ON lp.parcel_id = p.id
    WHERE ST_DWithin(p.geom, l.point, 8)
      AND (lp.number IS NULL OR l.number BETWEEN lp.number AND coalesce(lp.number_to, lp.number))
    ORDER BY p.geom <-> l.point LIMIT 1
) near
WHERE l.colonia_bonus >= 0;

-- step: candidates
-- Points placed in another colonia score at most 0.72 - 0.2 = 0.52: only accounts whose best
-- candidate is under 0.52 + {{AMBIGUITY_MARGIN}} need them (there they may win or be a rival).
-- Found by a query PostgreSQL runs in parallel, then appended: the accounts that need them are
-- a few hundred of the 400,000 points placed at a million accounts, and telling them apart
-- reads every candidate (1.0-1.4 s as an INSERT … SELECT, 0.6 s so).
CREATE UNLOGGED TABLE lk_placed_elsewhere AS
SELECT l.account_id, near.id AS parcel_id, 0.72 * l.sim + l.colonia_bonus AS score
FROM (
    SELECT * FROM lk_placed l
    WHERE l.colonia_bonus < 0
      AND NOT EXISTS (
          SELECT 1 FROM lk_candidate x
          WHERE x.account_id = l.account_id AND x.score > 0.52 + {{AMBIGUITY_MARGIN}}
      )
) l
CROSS JOIN LATERAL (
    SELECT p.id FROM registry_parcel p
    JOIN lk_parcel lp ON lp.parcel_id = p.id
    WHERE ST_DWithin(p.geom, l.point, 8)
      AND (lp.number IS NULL OR l.number BETWEEN lp.number AND coalesce(lp.number_to, lp.number))
    ORDER BY p.geom <-> l.point LIMIT 1
) near;

-- step: candidates
INSERT INTO lk_candidate
SELECT account_id, parcel_id, 'interpolacion', score FROM lk_placed_elsewhere;

-- step: candidates
-- Interpolation between numbered neighbours, for accounts the street layer could not place (a
-- layer without number ranges, as INEGI's and OpenStreetMap's are) in a town whose cadastre
-- numbers only some parcels: the unnumbered parcel at the account's number in a gap of the
-- numbering of its street and colonia (lk_gap, prepared with the parcels' inputs). Also where
-- the number was placed only on a namesake street of another colonia (at most 0.52).
INSERT INTO lk_candidate
SELECT a.account_id, g.parcel_id, 'interpolacion', 0.72 * m.sim + g.bonus
FROM lk_account a
JOIN lk_street_map m ON m.account_key = a.street_key
JOIN lk_colonia_alike alike ON alike.account_colonia = a.colonia_key
JOIN lk_gap g
  ON g.street_key = m.known_key AND g.colonia_key = alike.parcel_colonia AND g.number = a.number
WHERE a.number IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM lk_candidate x
      WHERE x.account_id = a.account_id
        AND ((x.method = 'interpolacion' AND x.score > 0.52 + {{AMBIGUITY_MARGIN}})
             OR (x.method = 'direccion' AND x.score >= 0.8))
  );

-- step: candidates
CREATE INDEX ON lk_candidate (account_id);

-- step: candidates
ANALYZE lk_candidate;

-- step: choose
-- Aggregating the candidates in account order (lk_candidate's index) lets the window below
-- sort each account's few parcels by score, instead of hashing 3.6 million (account, parcel)
-- pairs and then sorting them all again: 11.2-11.5 s -> 9.0-9.2 s at a million accounts, the
-- same rows.
SET LOCAL enable_hashagg = off;

-- step: choose
-- The five best parcels of every account, ranked, each with the score of the next one (so the
-- best carries its rival's).
CREATE UNLOGGED TABLE lk_ranked AS
WITH per_parcel AS (
    -- Three independent sources: the cadastral key, the coordinates and the address (matched
    -- exactly or interpolated: one source, its best reading counts). Independent sources
    -- pointing at one parcel combine as a noisy OR; the method is that of the strongest.
    -- An address that names several parcels about equally well (within the ambiguity margin of
    -- its best: a street and number without colonia, repeated in twenty colonias of a large
    -- town) says that much less of each parcel it alone names: there its score is divided by
    -- the square root of their number. A key or a point naming another parcel then outweighs
    -- it; where the key or the point names one of its parcels, the two agree and keep their
    -- full weight; with nothing else it stays ambiguous, as before.
    SELECT account_id, parcel_id,
           1 - (1 - least(greatest(coalesce(by_key, 0), 0), 0.995))
             * (1 - least(greatest(coalesce(by_point, 0), 0), 0.995))
             * (1 - least(greatest(coalesce(by_address, 0), 0), 0.995)) AS score,
           CASE WHEN rank_key >= rank_point AND rank_key >= rank_address THEN 'clave_catastral'
                WHEN rank_point >= rank_address THEN 'coordenadas'
                ELSE address_method END AS method
    FROM (
        SELECT *,
               -- what orders the sources for the method: absent -1, present at least 0
               CASE WHEN by_key IS NULL THEN -1 ELSE greatest(by_key, 0) END AS rank_key,
               CASE WHEN by_point IS NULL THEN -1 ELSE greatest(by_point, 0) END AS rank_point,
               CASE WHEN by_address IS NULL THEN -1 ELSE greatest(by_address, 0) END
                   AS rank_address
        FROM (
            SELECT account_id, parcel_id, by_key, by_point, address_method,
                   CASE WHEN by_key IS NULL AND by_point IS NULL
                        THEN by_address / sqrt(greatest(1, count(*) FILTER (
                            WHERE by_address >= best_address - {{AMBIGUITY_MARGIN}})
                            OVER (PARTITION BY account_id)))
                        ELSE by_address END AS by_address
            FROM (
                SELECT *, max(by_address) OVER (PARTITION BY account_id) AS best_address
                FROM (
                    SELECT account_id, parcel_id,
                           max(score) FILTER (WHERE method = 'clave_catastral') AS by_key,
                           max(score) FILTER (WHERE method = 'coordenadas') AS by_point,
                           max(score) FILTER (WHERE method IN ('direccion', 'interpolacion'))
                               AS by_address,
                           CASE WHEN max(score) FILTER (WHERE method = 'interpolacion')
                                     > coalesce(max(score) FILTER (WHERE method = 'direccion'),
                                                -1)
                                THEN 'interpolacion' ELSE 'direccion' END AS address_method
                    FROM lk_candidate
                    GROUP BY account_id, parcel_id
                ) sources
            ) best
        ) spread
    ) ranked_sources
), ranked AS (
    SELECT *, row_number() OVER by_score AS rank, lead(score) OVER by_score AS next_score
    FROM per_parcel
    WINDOW by_score AS (PARTITION BY account_id ORDER BY score DESC, parcel_id)
)
SELECT account_id, parcel_id, method, score, rank, next_score FROM ranked WHERE rank <= 5;

-- step: choose
RESET enable_hashagg;

-- step: choose
CREATE UNLOGGED TABLE lk_best AS
SELECT account_id, parcel_id, method, score, next_score AS rival_score
FROM lk_ranked WHERE rank = 1;

-- step: choose
CREATE INDEX ON lk_best (account_id);

-- step: choose
-- The accounts that stay unlinked although they have more than one candidate: ambiguous, or
-- whose best evidence is weak (a few per cent).
CREATE UNLOGGED TABLE lk_undecided AS
SELECT account_id FROM lk_best
WHERE rival_score IS NOT NULL
  AND (score < {{MIN_SCORE}} OR rival_score >= score - {{AMBIGUITY_MARGIN}});

-- step: choose
ANALYZE lk_undecided;

-- step: choose
-- Their ranked candidates, read once from lk_ranked for the tie-break and the lists below.
CREATE UNLOGGED TABLE lk_undecided_ranked AS
SELECT r.* FROM lk_ranked r WHERE r.account_id IN (SELECT account_id FROM lk_undecided);

-- step: choose
ANALYZE lk_undecided_ranked;

-- step: choose
-- A tie broken by the reading route. An address that names parcels in several colonias equally
-- well (no colonia in the padrón, or a colonia no parcel has) leaves the account ambiguous,
-- unless exactly one of those parcels lies where the account's reading route runs: near a
-- parcel linked with confidence to another account of the same route. A meter reader's route
-- is a walk through neighbouring blocks; the same street name in another colonia lies outside
-- it. Ties between neighbours (a point at a party wall) are both near the route and stay
-- ambiguous. The tied parcels: the ranked ones within the ambiguity margin of a best of at
-- least {{MIN_SCORE}}; and, for an address that names so many parcels that its score, spread
-- over them, fell under {{MIN_SCORE}}, every parcel it names at its best score (from
-- lk_candidate: the ranking kept five), each with that score, the address's own.
CREATE UNLOGGED TABLE lk_tied AS
WITH undecided AS (
    SELECT r.account_id, r.score AS best, a.route_id
    FROM lk_undecided_ranked r JOIN registry_account a ON a.id = r.account_id
    WHERE r.rank = 1 AND a.route_id IS NOT NULL
), spread AS (
    SELECT c.account_id, c.parcel_id, max(c.score) AS score, u.route_id
    FROM undecided u
    JOIN lk_candidate c ON c.account_id = u.account_id
    WHERE u.best < {{MIN_SCORE}} AND c.method IN ('direccion', 'interpolacion')
    GROUP BY c.account_id, c.parcel_id, u.route_id
)
SELECT r.account_id, r.parcel_id, r.score, u.route_id
FROM undecided u JOIN lk_undecided_ranked r ON r.account_id = u.account_id
WHERE u.best >= {{MIN_SCORE}} AND r.score >= u.best - {{AMBIGUITY_MARGIN}}
UNION ALL
SELECT account_id, parcel_id, score, route_id
FROM (SELECT *, max(score) OVER (PARTITION BY account_id) AS best FROM spread) s
WHERE score >= best - {{AMBIGUITY_MARGIN}} AND best >= {{MIN_SCORE}};

-- step: choose
ANALYZE lk_tied;

-- step: choose
-- Where each of those routes runs: the cells of a {{ROUTE_METRES}} m grid that hold the centre of
-- a parcel linked with confidence to one of its accounts, and the eight cells around each
-- (hash joins of whole tables: no geometry is read).
CREATE UNLOGGED TABLE lk_route_cell AS
SELECT DISTINCT c.route_id, c.cx + dx AS cx, c.cy + dy AS cy
FROM (
    SELECT DISTINCT a.route_id, floor(p.x / {{ROUTE_METRES}})::int AS cx,
           floor(p.y / {{ROUTE_METRES}})::int AS cy
    FROM lk_best d
    JOIN registry_account a ON a.id = d.account_id
    JOIN lk_parcel p ON p.parcel_id = d.parcel_id
    WHERE d.score >= {{MIN_SCORE}}
      AND a.route_id IN (SELECT route_id FROM lk_tied)
      AND NOT EXISTS (SELECT 1 FROM lk_undecided u WHERE u.account_id = d.account_id)
) c
CROSS JOIN generate_series(-1, 1) dx
CROSS JOIN generate_series(-1, 1) dy;

-- step: choose
ANALYZE lk_route_cell;

-- step: choose
-- A tied parcel is near its route when its centre's cell is one of those (its centre within
-- {{ROUTE_METRES}} to twice that, in metres, of a route parcel's); the accounts with exactly
-- one such parcel. (One cell per route at most once: the join repeats no tied parcel.)
CREATE UNLOGGED TABLE lk_route_choice AS
WITH near AS (
    SELECT t.account_id, t.parcel_id, t.score, c.route_id IS NOT NULL AS near
    FROM lk_tied t
    JOIN lk_parcel p ON p.parcel_id = t.parcel_id
    LEFT JOIN lk_route_cell c
           ON c.route_id = t.route_id
          AND c.cx = floor(p.x / {{ROUTE_METRES}})::int
          AND c.cy = floor(p.y / {{ROUTE_METRES}})::int
)
SELECT account_id, (array_agg(parcel_id) FILTER (WHERE near))[1] AS parcel_id,
       max(score) FILTER (WHERE near) AS score
FROM near
GROUP BY account_id
HAVING count(*) FILTER (WHERE near) = 1 AND max(score) FILTER (WHERE near) >= {{MIN_SCORE}};

-- step: choose
-- Those accounts take the parcel the route names; their competing candidates stay listed
-- (lk_competing), for the person who checks them.
UPDATE lk_best b
SET parcel_id = c.parcel_id, method = 'ruta_lectura', score = c.score, rival_score = NULL
FROM lk_route_choice c
WHERE b.account_id = c.account_id;

-- step: choose
-- Their competing candidates (the five best, with their keys): a person resolving the account
-- picks among them; a clear link needs no list. From their own ranked candidates (joining
-- every ranked candidate of the town with its parcel, then keeping a few per cent, took 5.5 s
-- at a million accounts). An account the route decided lists its parcel first, also when the
-- five ranked were others among the many its address names.
CREATE UNLOGGED TABLE lk_competing AS
SELECT r.account_id,
       jsonb_agg(jsonb_build_object(
           'clave_catastral', p.cadastral_key, 'metodo', r.method,
           'score', round(r.score::numeric, 3)) ORDER BY r.rank) AS candidates
FROM (
    SELECT account_id, parcel_id, 'ruta_lectura' AS method, score, 0 AS rank
    FROM lk_route_choice
    UNION ALL
    SELECT r.account_id, r.parcel_id, r.method, r.score, r.rank
    FROM lk_undecided_ranked r
    WHERE NOT EXISTS (SELECT 1 FROM lk_route_choice c
                      WHERE c.account_id = r.account_id AND c.parcel_id = r.parcel_id)
) r
JOIN registry_parcel p ON p.id = r.parcel_id
GROUP BY r.account_id;

-- step: choose
CREATE INDEX ON lk_competing (account_id);

-- step: choose
ANALYZE lk_competing;

-- step: choose
CREATE UNLOGGED TABLE lk_final AS
SELECT a.account_id,
       CASE WHEN old.parcel_verified THEN old.parcel_id
            WHEN b.score >= {{MIN_SCORE}} AND (b.rival_score IS NULL OR b.rival_score < b.score - {{AMBIGUITY_MARGIN}})
            THEN b.parcel_id END AS parcel_id,
       CASE WHEN old.parcel_verified THEN old.parcel_method
            WHEN b.score >= {{MIN_SCORE}} AND (b.rival_score IS NULL OR b.rival_score < b.score - {{AMBIGUITY_MARGIN}})
            THEN b.method ELSE '' END AS parcel_method,
       CASE WHEN old.parcel_verified THEN old.parcel_score ELSE round(b.score::numeric, 3)::float END AS parcel_score,
       coalesce(old.parcel_verified, false) AS parcel_verified,
       CASE WHEN old.parcel_verified THEN old.candidates
            ELSE coalesce(c.candidates, '[]'::jsonb) END AS candidates,
       CASE WHEN old.parcel_verified THEN old.unlinked_reason
            WHEN b.account_id IS NULL THEN
                CASE WHEN a.number IS NULL AND a.lote IS NOT NULL THEN 'ningún predio con esa manzana y lote en la colonia o la calle'
                     WHEN a.street_key IS NULL AND a.cadastral_key IS NULL THEN 'sin dirección utilizable ni otra evidencia'
                     WHEN a.cadastral_key IS NOT NULL AND (a.number IS NULL OR a.street_key IS NULL)
                     THEN 'la clave catastral no es de ningún predio y la dirección no basta'
                     WHEN a.number IS NULL AND a.unnumbered THEN 'sin número (S/N o Conocido) y sin otra evidencia'
                     WHEN a.number IS NULL THEN 'número exterior ilegible y sin otra evidencia'
                     WHEN NOT EXISTS (SELECT 1 FROM lk_street_map m WHERE m.account_key = a.street_key)
                     THEN 'la calle no está en la capa de calles ni en los predios'
                     ELSE 'el número no se encontró en la calle' END
            WHEN b.rival_score >= b.score - {{AMBIGUITY_MARGIN}} THEN 'ambigua: varios predios igual de probables'
            WHEN b.score < {{MIN_SCORE}} THEN 'dudosa: la mejor evidencia es débil'
            ELSE '' END AS unlinked_reason,
       old.account_id IS NOT NULL AS had_link,
       a.street_key
FROM lk_account a
LEFT JOIN lk_best b ON b.account_id = a.account_id
LEFT JOIN lk_competing c ON c.account_id = a.account_id
LEFT JOIN registry_accountlink old ON old.account_id = a.account_id;

-- step: choose
CREATE INDEX ON lk_final (account_id);

-- step: segments
-- The joins below in the order written: each linked account with the segments near its parcel
-- first, then the names its street may have, a small table hashed on both keys. Left to
-- itself, the planner joined every account with its street's names first (five times as many
-- rows) and probed the segments' large hash with those: 4.4 s -> 3.1 s at a million accounts.
SET LOCAL join_collapse_limit = 1;

-- step: segments
-- The segment of the matched street in front of the parcel: the best-matching name, then the
-- nearest; else the nearest segment of any name (both within 30 m, from lk_parcel_segment).
CREATE UNLOGGED TABLE lk_segment AS
SELECT DISTINCT ON (f.account_id) f.account_id, near.segment_id, 'frente'::text AS method,
       round((0.6 + 0.35 * m.sim)::numeric, 3)::float AS score
FROM lk_final f
JOIN lk_parcel_segment near ON near.parcel_id = f.parcel_id
JOIN lk_street_map m ON m.account_key = f.street_key AND m.known_key = near.name
WHERE f.parcel_id IS NOT NULL
ORDER BY f.account_id, m.sim DESC, near.distance, near.segment_id;

-- step: segments
RESET join_collapse_limit;

-- step: segments
ANALYZE lk_segment;

-- step: segments
-- The linked accounts left (a few thousand at a million accounts) take the nearest segment of
-- their parcel, each found through the index; joined whole with the parcels' segments instead,
-- this took 2.3 s.
INSERT INTO lk_segment
SELECT f.account_id, near.segment_id, 'frente', 0.55
FROM (
    SELECT f.account_id, f.parcel_id FROM lk_final f
    WHERE f.parcel_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM lk_segment x WHERE x.account_id = f.account_id)
    OFFSET 0
) f
CROSS JOIN LATERAL (
    SELECT n.segment_id FROM lk_parcel_segment n WHERE n.parcel_id = f.parcel_id
    ORDER BY n.distance, n.segment_id LIMIT 1
) near;

-- step: segments
CREATE INDEX ON lk_segment (account_id);

-- step: segments
ANALYZE lk_segment;

-- step: write
-- Accounts linked for the first time: plain inserts.
INSERT INTO registry_accountlink (
    account_id, parcel_id, parcel_method, parcel_score, parcel_verified, segment_id,
    segment_method, segment_score, segment_verified, candidates, unlinked_reason, updated_at)
SELECT f.account_id, f.parcel_id, f.parcel_method, f.parcel_score, f.parcel_verified,
       s.segment_id, coalesce(s.method, ''), s.score, false, f.candidates, f.unlinked_reason,
       now()
FROM lk_final f
LEFT JOIN lk_segment s ON s.account_id = f.account_id
WHERE NOT f.had_link;

-- step: write
-- Accounts linked before: what changed (links a person verified keep their parcel or segment).
UPDATE registry_accountlink l SET
    parcel_id = f.parcel_id, parcel_method = f.parcel_method, parcel_score = f.parcel_score,
    segment_id = CASE WHEN l.segment_verified THEN l.segment_id ELSE s.segment_id END,
    segment_method = CASE WHEN l.segment_verified THEN l.segment_method
                          ELSE coalesce(s.method, '') END,
    segment_score = CASE WHEN l.segment_verified THEN l.segment_score ELSE s.score END,
    candidates = f.candidates, unlinked_reason = f.unlinked_reason, updated_at = now()
FROM lk_final f
LEFT JOIN lk_segment s ON s.account_id = f.account_id
WHERE l.account_id = f.account_id AND f.had_link
  AND (l.parcel_id, l.parcel_method, l.parcel_score, l.segment_id, l.segment_method,
       l.segment_score, l.candidates, l.unlinked_reason)
      IS DISTINCT FROM
      (f.parcel_id, f.parcel_method, f.parcel_score,
       CASE WHEN l.segment_verified THEN l.segment_id ELSE s.segment_id END,
       CASE WHEN l.segment_verified THEN l.segment_method ELSE coalesce(s.method, '') END,
       CASE WHEN l.segment_verified THEN l.segment_score ELSE s.score END,
       f.candidates, f.unlinked_reason);
