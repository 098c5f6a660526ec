"""The layer model: which layers zonekit reads, their columns, types and units.

One :class:`Layer` per layer, one :class:`Column` per attribute. The model is data, not
code, so the validator, the README table and ``zonekit schema`` all read the same source.
Units are part of the column names where they matter (``revenue_wan`` is 万元,
``floor_area_m2`` is m²).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Analysis CRS for Miyun: CGCS2000 / 3-degree Gauss-Krüger CM 117E (metres).
DEFAULT_CRS = "EPSG:4548"

ZONE_KINDS = ("core_zone", "municipal_block")
PARCEL_STATUSES = ("in_use", "idle", "under_construction")
STATUS_ZH = {"in_use": "在用", "idle": "闲置/停产", "under_construction": "在建"}

#: The plan's "2+2" industries; other values are allowed.
PLAN_INDUSTRIES = ("新能源智能汽车", "生命健康", "生态环保", "先进装备")


@dataclass(frozen=True)
class Default:
    """What a layer that lacks a column gets instead: a value and what it means.

    Cadastre and 三调 layers carry no 在用/闲置 status, and many parcel layers no floor
    area or zone; a run then goes on with the value below, named on the console and in
    ``summary.json`` (never a stop), and ``zonekit check`` says so before a run.
    """

    value: object
    meaning: str


@dataclass(frozen=True)
class Column:
    """One attribute of a layer.

    Parameters
    ----------
    name
        Column name in zonekit's schema.
    kind
        One of ``"str"``, ``"int"``, ``"float"``, ``"bool"``.
    required
        Whether the column must be present.
    description
        Meaning and unit, shown in error messages and documentation.
    choices
        Allowed values, if the column is categorical.
    minimum
        Smallest allowed value for numbers (inclusive).
    maximum
        Largest plausible value (inclusive); larger values are reported as absurd, which
        usually means a unit mix-up (元 given as 万元).
    nullable
        Whether missing values are allowed when the column is present.
    unique
        Whether values must be unique (ids).
    default
        Used when the layer lacks the column (a required column with a default never
        stops a run; the default is named in a note).
    unit
        The unit of a quantity column (``"m²"``, ``"万元"``): a cell written with another
        unit of that quantity (``12.5亩``, ``2.1亿元``) is converted to it, one of another
        quantity refused (:func:`zonekit.zones.cells.convert_units`).
    """

    name: str
    kind: str
    required: bool = True
    description: str = ""
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    unique: bool = False
    default: Default | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Layer:
    """A layer of the model: its geometry type and columns."""

    name: str
    geometry: str  # "polygon", "point", "line", "raster"
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    id_column: str | None = None

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        """Names of the required columns (those with a default included)."""
        return [c.name for c in self.columns if c.required]

    def defaults_for(self, columns: object) -> list[Column]:
        """Return the columns with a default that ``columns`` (names found) lack."""
        have = set(map(str, columns))  # type: ignore[call-overload]
        return [c for c in self.columns if c.default is not None and c.name not in have]


ZONES = Layer(
    "zones",
    "polygon",
    "One polygon per zone or block of the park.",
    (
        Column("zone_id", "str", description="zone identifier", unique=True),
        Column("name_zh", "str", description="Chinese name, e.g. 高端智造区"),
        Column("name_en", "str", required=False, nullable=True, description="English name"),
        Column("kind", "str", description="core_zone or municipal_block", choices=ZONE_KINDS),
    ),
    id_column="zone_id",
)

PARCELS = Layer(
    "parcels",
    "polygon",
    "Land parcels (地块) with land use and status.",
    (
        Column("parcel_id", "str", description="parcel identifier (地块编号)", unique=True),
        Column("zone_id", "str", nullable=True, description="zone the parcel lies in",
               default=Default(None, "each parcel is placed in the zone it lies in")),
        Column(
            "land_use",
            "str",
            description="land-use code, 2020 用地用海分类 (e.g. 1001) or 三调 (e.g. 0601)",
        ),
        Column("land_use_name", "str", required=False, nullable=True,
               description="land-use name in Chinese, e.g. 工业用地"),
        Column("floor_area_m2", "float", minimum=0, nullable=True,
               description="gross floor area (建筑面积), m²", unit="m²",
               default=Default(None, "floor area unknown: 容积率 and floor-area figures "
                               "stay blank")),
        Column("status", "str", choices=PARCEL_STATUSES,
               description="in_use (在用) / idle (闲置、停产) / under_construction (在建)",
               default=Default("in_use", "every parcel is taken as in use (在用); give a "
                               "status column (mapping values: {status: {闲置: idle}}) to "
                               "mark idle and under-construction parcels")),
        Column("lease_end_year", "int", required=False, nullable=True,
               description="year the land-use right (出让年限) ends"),
    ),
    id_column="parcel_id",
)

ENTERPRISES = Layer(
    "enterprises",
    "point",
    "Enterprises with their annual figures; several years may be given in `year`.",
    (
        Column("ent_id", "str", description="enterprise identifier"),
        Column("parcel_id", "str", nullable=True, description="parcel the enterprise occupies",
               default=Default(None, "each enterprise is placed on the parcel it lies "
                               "in")),
        Column("name", "str", description="enterprise name"),
        Column("industry", "str",
               description="industry (2+2: 新能源智能汽车, 生命健康, 生态环保, 先进装备; "
               "or other)"),
        Column("revenue_wan", "float", minimum=0, maximum=2e7,
               description="operating revenue 营业收入, 万元 per year", unit="万元"),
        Column("tax_wan", "float", required=False, minimum=0, maximum=5e6, nullable=True,
               description="taxes paid 税收, 万元 per year", unit="万元"),
        Column("employees", "int", minimum=0, maximum=200_000,
               description="employees 从业人员, persons"),
        Column("energy_tce", "float", required=False, minimum=0, nullable=True,
               description="energy use 综合能耗, tonnes of standard coal equivalent per year"),
        Column("rnd_wan", "float", required=False, minimum=0, nullable=True,
               description="R&D spending 研发费用, 万元 per year", unit="万元"),
        Column("patents", "int", required=False, minimum=0, nullable=True,
               description="invention patents held 有效发明专利, count"),
        Column("founded_year", "int", required=False, nullable=True,
               description="year founded 成立年份"),
        Column("high_tech", "bool", required=False,
               description="national high-tech enterprise 国家高新技术企业"),
        Column("specialized", "bool", required=False, description="专精特新 enterprise"),
        Column("listed", "bool", required=False, description="listed company 上市企业"),
        Column("year", "int", required=False, description="statistics year of the figures"),
    ),
    id_column="ent_id",
)

FACILITIES = Layer(
    "facilities",
    "point",
    "Service facilities, industry platforms and charging stations.",
    (
        Column("fac_id", "str", description="facility identifier", unique=True),
        Column("category", "str",
               description="category id, e.g. convenience_store, pilot_base, charging_station"),
        Column("name", "str", required=False, nullable=True, description="facility name"),
        Column("chargers", "int", required=False, nullable=True, minimum=0,
               description="number of charging points (charging stations)"),
        Column("power_kw", "float", required=False, nullable=True, minimum=0,
               description="maximum charging power per point, kW (≥ 60 kW counts as fast)"),
    ),
    id_column="fac_id",
)

#: One-way spellings (lower case) → +1 digitised direction, -1 against it, 0 two-way. The
#: network builder (``analysis/network/travel.py``) reads the same spellings.
ONEWAY_WORDS: dict[str, int] = {
    "yes": 1, "true": 1, "t": 1, "1": 1, "1.0": 1, "ft": 1, "y": 1,
    "正向": 1, "单行": 1, "单向": 1, "单行道": 1, "是": 1,
    "-1": -1, "-1.0": -1, "reverse": -1, "tf": -1, "反向": -1, "逆向": -1,
    "no": 0, "false": 0, "f": 0, "0": 0, "0.0": 0, "b": 0, "": 0,
    "双向": 0, "双行": 0, "否": 0, "reversible": 0, "alternating": 0,
}

ROADS = Layer(
    "roads",
    "line",
    "Road centrelines (or osmnx edges with u/v).",
    (
        Column("highway", "str", required=False, nullable=True,
               description="OSM highway class (or Chinese road grade mapped to one); "
               "without it every road travels at the profile's default speed (noted)"),
        Column("oneway", "str", required=False, nullable=True,
               description="one-way flag: yes/no/-1, true/false, 1/0, FT/TF/B, 单行/双向"),
        Column("maxspeed", "str", required=False, nullable=True,
               description="speed limit, km/h (OSM text such as '50', '30 mph', "
               "\"['40', '60']\" is read by the network builder)"),
        Column("name", "str", required=False, nullable=True, description="street name"),
        Column("u", "int", required=False, nullable=True, description="start node id (osmnx form)"),
        Column("v", "int", required=False, nullable=True, description="end node id (osmnx form)"),
    ),
)

POPULATION = Layer(
    "population",
    "raster",
    "GeoTIFF of resident persons per cell (band 1).",
)

LAYERS: dict[str, Layer] = {
    layer.name: layer for layer in (ZONES, PARCELS, ENTERPRISES, FACILITIES, ROADS, POPULATION)
}
VECTOR_LAYERS = tuple(name for name, layer in LAYERS.items() if layer.geometry != "raster")
