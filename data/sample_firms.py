"""The sample park's enterprises.

About 6,300 firms with three years of figures, calibrated to Table 1-1 and placed on
parcels (:mod:`zonekit.data.generate_sample`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonekit.data.sample_spec import (
    BIG_FIRM_WAN,
    BIG_FIRMS,
    CLUSTER_WAN,
    EMPLOYEE_GROWTH,
    EMPLOYEES,
    FIRM_COUNT,
    HOST_USES,
    INDUSTRIES,
    LAND_AFFINITY,
    LOW_YIELD_WAN_PER_HA,
    MANUFACTURING,
    N_HIGH_TECH,
    N_LISTED,
    N_SPECIALIZED,
    NAME_CHARS,
    NAME_SUFFIX,
    PATENTS,
    REVENUE_WAN,
    TECH,
    TECH_FOUNDED,
    TIER_P,
    WAN_PER_EMPLOYEE,
    YEAR_GROWTH,
    ZONE_AFFINITY,
)
from zonekit.data.sample_zones_roads import _random_points
from zonekit.zones.schema import DEFAULT_CRS, ENTERPRISES


# =========================================================================================
# enterprises
# =========================================================================================
def _tier_of(industry: str) -> str:
    return ("trade" if industry == "商贸服务" else
            "manufacturing" if industry in MANUFACTURING else "service")


def _scale_group(rev: np.ndarray, mask: np.ndarray, target: float, cap: float) -> None:
    """Scale ``rev[mask]`` to sum to ``target`` keeping every value below ``cap``."""
    for _ in range(50):
        free = mask & (rev < cap)
        rev[free] *= (target - rev[mask & ~free].sum()) / rev[free].sum()
        over = mask & (rev > cap)
        if not over.any():
            break
        rev[over] = cap
    rev[mask] = np.round(rev[mask], 1)
    top = np.flatnonzero(free)[np.argmax(rev[free])]
    rev[top] = round(rev[top] + target - rev[mask].sum(), 1)


def _revenues(rng, firms: pd.DataFrame) -> np.ndarray:
    """Heavy-tailed revenues hitting the total and the two cluster figures exactly."""
    n = len(firms)
    tier = np.array([rng.choice(3, p=TIER_P[_tier_of(i)]) for i in firms.industry])
    med = np.array([15.0, 400.0, 6_000.0])[tier]
    sigma = np.array([1.2, 0.9, 0.8])[tier]
    rev = rng.lognormal(np.log(med), sigma)
    rev[(tier == 0) & (rng.random(n) < 0.15)] = 0.0  # registered but not trading
    big = firms.big.to_numpy()
    rev[big] = firms.big_rev[big]
    rest = REVENUE_WAN - rev[big].sum()
    for ind, target in CLUSTER_WAN.items():
        m = ~big & (firms.industry == ind).to_numpy()
        _scale_group(rev, m, target - rev[big & (firms.industry == ind).to_numpy()].sum(),
                     0.95 * BIG_FIRM_WAN)
        rest -= rev[m].sum()
    m = ~big & ~firms.industry.isin(list(CLUSTER_WAN)).to_numpy()
    _scale_group(rev, m, rest, 0.95 * BIG_FIRM_WAN)
    firms["tier"] = tier
    return rev


def _employees(rng, firms: pd.DataFrame) -> np.ndarray:
    """Head counts from revenue and productivity, summing to :data:`EMPLOYEES` exactly."""
    rev, big = firms.revenue_wan.to_numpy(), firms.big.to_numpy()
    emp = np.zeros(len(firms), dtype=np.int64)
    emp[big] = firms.big_emp[big]
    micro = ~big & (rev < 60)
    emp[micro] = rng.choice([0, 0, 1, 1, 2, 2, 3, 4], micro.sum())
    rest = ~big & ~micro
    prod = firms.industry.map(WAN_PER_EMPLOYEE).to_numpy() * rng.lognormal(0, 0.45, len(firms))
    raw = rev[rest] / prod[rest]
    raw *= (EMPLOYEES - emp[big].sum() - emp[micro].sum()) / raw.sum()
    whole = np.floor(raw).astype(np.int64)
    short = EMPLOYEES - emp[big].sum() - emp[micro].sum() - whole.sum()
    whole[np.argsort(-(raw - whole), kind="stable")[:short]] += 1  # largest remainders
    emp[rest] = whole
    return emp


def _years(rng, first: int, last: int, n: int, power: float) -> np.ndarray:
    """``n`` years in ``first..last``, more of them recent (registrations kept rising)."""
    years = np.arange(first, last + 1)
    w = (years - first + 3.0) ** power
    return rng.choice(years, n, p=w / w.sum())


def _founded(rng, firms: pd.DataFrame) -> np.ndarray:
    """Founding years: exactly 1,500 tech firms founded 2021-2024, the rest earlier."""
    n = len(firms)
    year = np.full(n, np.nan)
    big, tech = firms.big.to_numpy(), firms.industry.isin(TECH).to_numpy()
    pool = np.flatnonzero(tech & ~big)
    w = np.array([3.0, 1.0, 0.15])[firms.tier.to_numpy()[pool]]
    new = rng.choice(pool, sum(TECH_FOUNDED.values()), replace=False, p=w / w.sum())
    year[new] = rng.permutation(np.repeat(list(TECH_FOUNDED), list(TECH_FOUNDED.values())))
    old_tech = np.setdiff1d(pool, new)
    year[old_tech] = _years(rng, 1998, 2020, len(old_tech), power=1.5)
    other = np.flatnonzero(~tech & ~big)
    year[other] = _years(rng, 1993, 2024, len(other), power=1.2)
    year[other[rng.random(len(other)) < 0.01]] = np.nan  # not recorded
    year[big] = rng.integers(2000, 2017, big.sum())
    return year


def _flags(rng, firms: pd.DataFrame) -> None:
    """Exactly 276 high-tech, 113 专精特新 and 10 listed firms."""
    n = len(firms)
    rev, big = firms.revenue_wan.to_numpy(), firms.big.to_numpy()
    tech = firms.industry.isin(TECH).to_numpy()
    settled = (firms.founded_year <= 2023).to_numpy()
    ht = big & tech
    other_makers = (firms.industry == "其他制造").to_numpy() & ~big
    for mask, k in ((tech & ~big, 250), (other_makers, N_HIGH_TECH - 250 - ht.sum())):
        cand = np.flatnonzero(mask & (rev >= 100) & settled)
        w = np.log1p(rev[cand]) ** 3
        ht[rng.choice(cand, k, replace=False, p=w / w.sum())] = True
    sp = np.zeros(n, dtype=bool)
    makers = firms.industry.isin(MANUFACTURING + TECH).to_numpy()
    mid = ~big & (rev >= 500) & (rev <= 60_000) & makers
    for mask, k in ((mid & ht, 85), (mid & ~ht, N_SPECIALIZED - 85)):
        cand = np.flatnonzero(mask)
        sp[rng.choice(cand, k, replace=False)] = True
    listed = np.zeros(n, dtype=bool)
    listed[rng.choice(np.flatnonzero(big), 6, replace=False)] = True
    top = np.flatnonzero(tech & ~big)[np.argsort(-rev[tech & ~big])[:40]]
    listed[rng.choice(top, N_LISTED - 6, replace=False)] = True
    firms["high_tech"], firms["specialized"], firms["listed"] = ht, sp, listed


def _patents(rng, firms: pd.DataFrame) -> np.ndarray:
    """Invention patents, exactly :data:`PATENTS` in total; unknown (NA) for trade firms."""
    rev = firms.revenue_wan.to_numpy()
    able = firms.industry.isin(TECH + ("其他制造",)).to_numpy() & (rev >= 50)
    lam = np.where(able, 0.05 + 1.5 * firms.high_tech + 0.8 * firms.specialized
                   + 0.3 * np.log10(1 + rev / 1000) + 20 * (firms.big & able), 0.0)
    pat = rng.poisson(lam)
    if pat.sum() > PATENTS:
        pat = rng.multivariate_hypergeometric(pat, PATENTS)
    else:
        pat += rng.multinomial(PATENTS - pat.sum(), lam / lam.sum())
    out = pd.array(pat, dtype="Int64")
    out[(firms.industry == "商贸服务").to_numpy()] = pd.NA
    return out


def _firm_names(rng, firms: pd.DataFrame) -> list[str]:
    """Make unique synthetic names such as 北京密云瑞康生物科技有限公司."""
    chars, seen, names = list(NAME_CHARS), set(), []
    for ind, big in zip(firms.industry, firms.big, strict=True):
        while True:
            brand = "".join(rng.choice(chars, 2 if len(seen) < 3_000 else 3))
            suffix = rng.choice(NAME_SUFFIX[ind])
            form = ("股份有限公司" if big else "有限公司")
            name = str(rng.choice([f"北京密云{brand}{suffix}{form}", f"北京{brand}{suffix}{form}",
                                   f"{brand}（北京）{suffix}{form}"], p=[.45, .4, .15]))
            if name not in seen:
                seen.add(name)
                names.append(name)
                break
    return names


def build_firms(rng) -> pd.DataFrame:
    """One row per enterprise with its 2024 figures."""
    big = pd.DataFrame(BIG_FIRMS, columns=["industry", "big_rev", "big_emp"]).assign(big=True)
    rest = [ind for ind in INDUSTRIES
            for _ in range(FIRM_COUNT[ind] - (big.industry == ind).sum())]
    firms = pd.concat([big, pd.DataFrame({"industry": rest, "big": False})], ignore_index=True)
    firms["revenue_wan"] = _revenues(rng, firms)
    firms["employees"] = _employees(rng, firms)
    firms["founded_year"] = _founded(rng, firms)
    _flags(rng, firms)
    firms["patents"] = _patents(rng, firms)
    firms["tax_rate"] = rng.uniform(0.02, 0.08, len(firms))
    firms.loc[(firms.tier == 0).to_numpy() & (rng.random(len(firms)) < 0.02), "tax_rate"] = np.nan
    manu, tech = firms.industry.isin(MANUFACTURING), firms.industry.isin(TECH)
    firms["energy_rate"] = np.where(manu, rng.lognormal(math.log(0.035), 0.6, len(firms)), np.nan)
    firms["rnd_rate"] = np.where(tech, rng.uniform(0.01, 0.10, len(firms)), np.nan)
    firms["name"] = _firm_names(rng, firms)
    firms = firms.iloc[rng.permutation(len(firms))].reset_index(drop=True)  # ids carry no meaning
    firms.insert(0, "ent_id", [f"E{k + 1:05d}" for k in range(len(firms))])
    return firms


def _affinity(firms: pd.DataFrame, parcels: pd.DataFrame) -> np.ndarray:
    """How well each industry fits each parcel (land use × zone), shape (industries, parcels)."""
    out = np.zeros((len(INDUSTRIES), len(parcels)))
    for k, ind in enumerate(INDUSTRIES):
        lu = parcels.land_use.map(LAND_AFFINITY[ind]).fillna(0).to_numpy()
        zn = parcels.zone_id.map(ZONE_AFFINITY[ind]).fillna(0).to_numpy() + 0.03
        out[k] = lu * zn
    return out


def assign_parcels(rng, firms: pd.DataFrame, parcels: gpd.GeoDataFrame,
                   low: np.ndarray) -> np.ndarray:
    """Give every firm a parcel: anchors on productive ones, tiny firms on low-yield ones."""
    n_p = len(parcels)
    host = parcels.land_use.isin(HOST_USES).to_numpy()
    in_use, idle = (parcels.status == "in_use").to_numpy(), (parcels.status == "idle").to_numpy()
    aff = _affinity(firms, parcels)
    ind_k = firms.industry.map({i: k for k, i in enumerate(INDUSTRIES)}).to_numpy()
    rev, area_ha = firms.revenue_wan.to_numpy(), parcels.area.to_numpy() / 1e4
    where = np.full(len(firms), -1)

    def free() -> np.ndarray:
        return np.flatnonzero(where < 0)

    # idle parcels: half host one near-dormant firm
    for p in np.flatnonzero(idle & host):
        cand = free()[(rev[free()] < 10) & (aff[ind_k[free()], p] > 0)]
        if rng.random() < 0.5 and len(cand):
            where[rng.choice(cand)] = p
    # low-yield parcels: 1-3 small manufacturers, kept below 60 % of 5 亿元/km²
    makers = firms.industry.isin(["新能源智能汽车", "生态环保", "先进装备", "其他制造"]).to_numpy()
    small = free()[(rev[free()] < 300) & makers[free()]]
    small = list(rng.permutation(small))
    for p in np.flatnonzero(low):
        cap, total = 0.6 * LOW_YIELD_WAN_PER_HA * area_ha[p], 0.0
        for _ in range(int(rng.integers(1, 4))):
            f = next((f for f in small if total + rev[f] <= cap), None)
            if f is not None:
                small.remove(f)
                where[f], total = p, total + rev[f]
    # anchors: biggest firms first, each on its own productive parcel (big firms, big parcels)
    anchor = host & in_use & ~low
    open_p = anchor.copy()
    for f in free()[np.argsort(-rev[free()], kind="stable")][: anchor.sum()]:
        w = aff[ind_k[f]] * open_p * area_ha ** 2
        if w.sum() > 0:
            where[f] = p = rng.choice(n_p, p=w / w.sum())
            open_p[p] = False
    _top_up(where, rev, aff[ind_k], anchor, 1.3 * LOW_YIELD_WAN_PER_HA * area_ha)
    # everyone else shares floor space on productive parcels
    fa = parcels.floor_area_m2.to_numpy() * anchor
    for f in free():
        w = aff[ind_k[f]] * fa
        where[f] = rng.choice(n_p, p=w / w.sum())
    return where


def _top_up(where, rev, fit, parcels_mask, need_wan) -> None:
    """Give productive parcels more firms until each earns at least ``need_wan``."""
    got = np.bincount(where[where >= 0], weights=rev[where >= 0], minlength=len(need_wan))
    short = np.flatnonzero(parcels_mask & (got < need_wan))
    for p in short[np.argsort(got[short] - need_wan[short], kind="stable")]:
        while got[p] < need_wan[p]:
            cand = np.flatnonzero((where < 0) & (fit[:, p] > 0))
            if not len(cand):
                break
            # the smallest firm that closes the gap, else the largest there is
            enough = cand[rev[cand] >= need_wan[p] - got[p]]
            f = enough[np.argmin(rev[enough])] if len(enough) else cand[np.argmax(rev[cand])]
            where[f], got[p] = p, got[p] + rev[f]


def place_firms(rng, where: np.ndarray, parcels: gpd.GeoDataFrame) -> np.ndarray:
    """Points for firms: clustered on a few buildings per parcel, inside the parcel."""
    xy = np.zeros((len(where), 2))
    for p in np.unique(where):
        geom = parcels.geometry.iloc[p]
        inner = geom.buffer(-8)
        if inner.is_empty or inner.area < 50:
            inner = geom.buffer(-2)
        n_b = int(np.clip(1 + geom.area // 10_000, 1, 6))
        bld = _random_points(rng, inner, n_b)
        firms = np.flatnonzero(where == p)
        pts = bld[rng.integers(0, n_b, len(firms))] + rng.normal(0, 3, (len(firms), 2))
        ok = shapely.contains_xy(geom.buffer(-1), pts[:, 0], pts[:, 1])
        pts[~ok] = bld[0]
        xy[firms] = np.round(pts, 2)
    return xy


def _year_figures(rng, prev: pd.DataFrame, year: int) -> pd.DataFrame:
    """Last year's figures from this year's: revenue ~9 % lower, head counts ~3 % higher."""
    cur = prev[~(prev.founded_year > year)].copy()
    rev = cur.revenue_wan.to_numpy() / np.exp(rng.normal(0.085, 0.18, len(cur)))
    rev_total = prev.revenue_wan.sum() / YEAR_GROWTH[year]
    cur["revenue_wan"] = np.round(rev * rev_total / rev.sum(), 1)
    emp = cur.employees.to_numpy() * np.exp(rng.normal(0.0, 0.1, len(cur)))
    emp_total = prev.employees.sum() / EMPLOYEE_GROWTH[year]
    cur["employees"] = np.round(emp * emp_total / emp.sum()).astype(np.int64)
    pat = cur.patents.fillna(0).to_numpy().astype(np.int64)
    cur["patents"] = pd.array(pat - rng.binomial(pat, 0.12), dtype="Int64")
    cur.loc[cur.industry == "商贸服务", "patents"] = pd.NA
    cur["high_tech"] &= rng.random(len(cur)) > 0.08
    cur["specialized"] &= rng.random(len(cur)) > 0.12
    cur["year"] = year
    return cur


def enterprise_rows(rng, firms: pd.DataFrame, xy: np.ndarray, parcel_ids) -> gpd.GeoDataFrame:
    """Build the ``enterprises`` layer: 2022-2024 rows, fixed places, growing figures."""
    firms = firms.assign(parcel_id=np.asarray(parcel_ids), year=2024, x=xy[:, 0], y=xy[:, 1])
    years = [firms]
    for year in (2023, 2022):
        years.append(_year_figures(rng, years[-1], year))
    rows = pd.concat(years[::-1], ignore_index=True)
    rev = rows.revenue_wan
    rows["tax_wan"] = np.round(rev * rows.tax_rate, 1)
    rows["energy_tce"] = np.round(rev * rows.energy_rate, 1)
    rows["rnd_wan"] = np.round(rev * rows.rnd_rate, 1)
    rows["founded_year"] = pd.array(rows.founded_year.round(), dtype="Int64")
    cols = [c.name for c in ENTERPRISES.columns]
    return gpd.GeoDataFrame(rows[cols], geometry=shapely.points(rows[["x", "y"]].to_numpy()),
                            crs=DEFAULT_CRS)


