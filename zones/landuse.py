"""Land-use codes and the classes the analyses use.

Two classifications are in use in China: the 2020 《国土空间调查、规划、用途管制用地用海分类指南》
(four-digit codes such as 1001 工业用地) and the 三调 working classification (0601 工业用地,
05xx 商服用地). Both map onto a handful of analysis classes.
"""

from __future__ import annotations

import pandas as pd

CLASSES = (
    "industrial", "logistics", "commercial", "residential", "public_service",
    "green", "road", "water", "other",
)

#: Classes that count as construction land (建设用地) in the ``built`` denominator.
CONSTRUCTION_CLASSES = ("industrial", "logistics", "commercial", "residential", "public_service")

#: 2020 用地用海分类: code prefix → (Chinese name, class). Longest prefix wins.
CODES_2020: dict[str, tuple[str, str]] = {
    "07": ("居住用地", "residential"),
    "0701": ("城镇住宅用地", "residential"),
    "0702": ("城镇社区服务设施用地", "public_service"),
    "0703": ("农村宅基地", "residential"),
    "08": ("公共管理与公共服务用地", "public_service"),
    "0801": ("机关团体用地", "public_service"),
    "0802": ("科研用地", "public_service"),
    "0803": ("文化用地", "public_service"),
    "0804": ("教育用地", "public_service"),
    "0805": ("体育用地", "public_service"),
    "0806": ("医疗卫生用地", "public_service"),
    "0807": ("社会福利用地", "public_service"),
    "09": ("商业服务业用地", "commercial"),
    "0901": ("商业用地", "commercial"),
    "0902": ("商务金融用地", "commercial"),
    "0903": ("娱乐用地", "commercial"),
    "0904": ("其他商业服务业用地", "commercial"),
    "10": ("工矿用地", "industrial"),
    "1001": ("工业用地", "industrial"),
    "1002": ("采矿用地", "industrial"),
    "11": ("仓储用地", "logistics"),
    "1101": ("物流仓储用地", "logistics"),
    "1102": ("储备库用地", "logistics"),
    "12": ("交通运输用地", "road"),
    "1207": ("城镇道路用地", "road"),
    "13": ("公用设施用地", "other"),
    "14": ("绿地与开敞空间用地", "green"),
    "1401": ("公园绿地", "green"),
    "1402": ("防护绿地", "green"),
    "1403": ("广场用地", "green"),
    "16": ("留白用地", "other"),
    "17": ("陆地水域", "water"),
}

#: 三调 working classification (《第三次全国国土调查工作分类》). Longest prefix wins.
CODES_SANDIAO: dict[str, tuple[str, str]] = {
    "01": ("耕地", "other"),
    "02": ("种植园用地", "other"),
    "03": ("林地", "green"),
    "04": ("草地", "green"),
    "05": ("商业服务业用地", "commercial"),
    "05H1": ("商业服务业设施用地", "commercial"),
    "0508": ("物流仓储用地", "logistics"),
    "06": ("工矿用地", "industrial"),
    "0601": ("工业用地", "industrial"),
    "0602": ("采矿用地", "industrial"),
    "0603": ("盐田", "other"),
    "07": ("住宅用地", "residential"),
    "0701": ("城镇住宅用地", "residential"),
    "0702": ("农村宅基地", "residential"),
    "08": ("公共管理与公共服务用地", "public_service"),
    "08H1": ("机关团体新闻出版用地", "public_service"),
    "08H2": ("科教文卫用地", "public_service"),
    "0809": ("公用设施用地", "other"),
    "0810": ("公园与绿地", "green"),
    "09": ("特殊用地", "other"),
    "10": ("交通运输用地", "road"),
    "1004": ("城镇村道路用地", "road"),
    "11": ("水域及水利设施用地", "water"),
}


def _lookup(code: str, tables: list[dict[str, tuple[str, str]]]) -> tuple[str, str] | None:
    # Exact codes in any table beat prefixes: 0810 (三调 green) before 08 (2020 public).
    for length in (len(code), 4, 2):
        for table in tables:
            hit = table.get(code[:length])
            if hit is not None:
                return hit
    return None


def classify_code(code: object, system: str = "auto") -> tuple[str | None, str | None]:
    """Return ``(Chinese name, analysis class)`` for a land-use code, or ``(None, None)``.

    Parameters
    ----------
    code
        Land-use code such as ``"1001"``, ``1001``, ``"100101"`` or ``"0601"``.
    system
        ``"2020"``, ``"sandiao"`` or ``"auto"``. In ``auto``, exact codes of either
        classification are recognised; the prefixes 05 and 06 (三调 商服/工矿, but 2020
        湿地/农业设施) are read as 三调, other shared prefixes as 2020: pass the system
        explicitly when this guess is wrong.
    """
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return None, None
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 3 and text.isdigit():  # leading zero lost in a numeric column
        text = "0" + text
    tables = {"2020": [CODES_2020], "sandiao": [CODES_SANDIAO], "auto": [CODES_2020, CODES_SANDIAO]}
    if system not in tables:
        raise ValueError(f"land-use system must be '2020', 'sandiao' or 'auto', got {system!r}")
    order = tables[system]
    # 05xx/06xx exist only in 三调; other overlapping prefixes (10, 11) default to 2020.
    if system == "auto" and text[:2] in ("05", "06"):
        order = [CODES_SANDIAO, CODES_2020]
    return _lookup(text, order) or (None, None)


def land_use_class(codes: pd.Series, system: str = "auto") -> pd.Series:
    """Vectorised :func:`classify_code`: the analysis class of each code (NaN when unknown)."""
    uniques = {c: classify_code(c, system)[1] for c in pd.unique(codes)}
    return codes.map(uniques)
