"""Colonias of the demo town: settlement type, name, postal code and a wealth score that sets
lot sizes and domestic tariff levels."""

from dataclasses import dataclass

import numpy as np

from gis_backend.demo import names
from gis_backend.registry.choices import SettlementType

# Settlement types of colonias other than the centre, their shares and wealth offsets.
SETTLEMENT_TYPES: tuple[tuple[str, float, float], ...] = (
    (SettlementType.COLONIA, 0.45, 0.5),
    (SettlementType.DEVELOPMENT, 0.30, 1.0),
    (SettlementType.NEIGHBOURHOOD, 0.08, 0.3),
    (SettlementType.HOUSING_UNIT, 0.10, 0.2),
    (SettlementType.EJIDO, 0.04, 0.0),
    (SettlementType.HAMLET, 0.03, 0.0),
)
CENTRE_NAME = "Zona Centro"
CENTRE_POSTAL_CODE = "38300"
# Lot frontage (metres) by wealth class: popular, medio, residencial.
FRONTAGE = ((7.0, 9.0), (9.5, 12.0), (14.0, 18.0))
# Shares of colonias in each wealth class, poorest first.
CLASS_SHARES = (0.55, 0.35, 0.10)


@dataclass
class Colonias:
    score: np.ndarray  # wealth score
    wealth: np.ndarray  # 0 popular, 1 medio, 2 residencial
    settlement_type: list[str]
    name: list[str]
    postal_code: list[str]

    def __len__(self) -> int:
        return len(self.score)


def draw_wealth(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Settlement type index, wealth score and wealth class for ``n`` colonias."""
    shares = np.array([share for _, share, _ in SETTLEMENT_TYPES])
    kind = rng.choice(len(SETTLEMENT_TYPES), size=n, p=shares / shares.sum())
    offset = np.array([off for _, _, off in SETTLEMENT_TYPES])[kind]
    score = offset + rng.normal(0.0, 0.35, size=n)
    cuts = np.quantile(score, np.cumsum(CLASS_SHARES)[:-1]) if n > 1 else np.array([np.inf, np.inf])
    wealth = np.searchsorted(cuts, score, side="right")
    return kind, score, wealth


def name_colonias(
    rng: np.random.Generator, kind: np.ndarray, score: np.ndarray, wealth: np.ndarray, centre: int
) -> Colonias:
    """Unique names in order of colonia id; colonia ``centre`` is the Zona Centro."""
    n = len(kind)
    pool = len(names.COLONIAS)
    order = rng.permutation(pool)
    types: list[str] = []
    labels: list[str] = []
    codes: list[str] = []
    postal = 38301 + rng.permutation(98)
    for i in range(n):
        base = names.COLONIAS[order[i % pool]] + names.SECTIONS[(i // pool) % len(names.SECTIONS)]
        if i >= pool * len(names.SECTIONS):
            base += f" {i // (pool * len(names.SECTIONS)) + 1}"
        settlement = SETTLEMENT_TYPES[kind[i]][0]
        if i == centre:
            settlement, base = SettlementType.DOWNTOWN, CENTRE_NAME
        elif settlement == SettlementType.HOUSING_UNIT:
            base = f"Infonavit {base}"
        elif settlement == SettlementType.EJIDO:
            base = f"Ejido {base}"
        types.append(str(settlement))
        labels.append(base)
        codes.append(CENTRE_POSTAL_CODE if i == centre else str(postal[(i // 3) % len(postal)]))
    return Colonias(score, wealth, types, labels, codes)
