"""Tables with Chinese headers and units, for the report (HTML) and the workbook (``.xlsx``).

Column headings come from :data:`zonekit.maps.style.FIELDS` — the names and units the
maps' tooltips use — and, for columns only tables show, from :data:`TABLE_FIELDS`. Coded
values (``core_zone``, ``True``, ``not graded`` …) are written in Chinese; numbers stay
numbers in the workbook, as precise as in the CSV outputs, so planners can compute with them.

Examples
--------
>>> import pandas as pd
>>> t = chinese_table(pd.DataFrame({"area_km2": [1.234], "kind": ["core_zone"]}))
>>> list(t.columns), float(t.iloc[0, 0]), t.iloc[0, 1]
(['面积（km²）', '类型'], 1.234, '核心功能区')
>>> chinese_table(pd.DataFrame({"area_km2": [1.234]}), as_text=True).iloc[0, 0]
'1.23'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.analysis.mujun import SCENARIO_ZH
from zonekit.maps.style import FIELDS, YES_NO_ZH, Field, is_missing
from zonekit.maps.workbook_layout import (
    LIST_ROWS,
    cell_style,
    column_widths,
    columns_holding,
    list_note,
    print_setup,
    text_width,
    thin_border,
    wrapped,
    wrapped_lines,
)

if TYPE_CHECKING:
    import pandas as pd

#: Columns holding years: written as whole numbers without thousands separators.
YEAR_COLUMNS = frozenset({"year", "baseline_year", "target_year", "founded_year", "base_year",
                          "lease_end_year"})


def _f(name: str, label: str, unit: str = "", decimals: int | None = None,
       values: Mapping[str, str] | None = None) -> tuple[str, Field]:
    return name, Field(name, label, unit, decimals, dict(values or {}))


#: Headings of columns that appear in tables but not in map tooltips.
TABLE_FIELDS: dict[str, Field] = dict([
    # Plan indicators (Table 1-1).
    _f("row", "序号", "", 0), _f("indicator", "指标代码"), _f("unit", "单位"),
    _f("supported", "可由数据计算", values=YES_NO_ZH), _f("value", "现状值", "", 2),
    _f("year", "年份", "", 0), _f("baseline", "规划基期值", "", 2),
    _f("baseline_year", "基期年份", "", 0), _f("target", "规划目标值", "", 2),
    _f("target_year", "目标年份", "", 0), _f("diff_from_baseline", "较基期变化", "", 2),
    _f("gap", "距目标差距", "", 2), _f("required_annual_growth_pct", "所需年均增速", "%", 2),
    _f("required_annual_increase", "所需年均增量", "", 2),
    _f("plan_path_value", "规划路径当年值", "", 2), _f("trend_years", "趋势年份"),
    _f("trend_growth_pct", "近年年均增速", "%", 2),
    _f("on_track", "进度是否达标", values=YES_NO_ZH), _f("note", "说明"),
    # Industries and enterprises.
    _f("revenue_share_pct", "收入占比", "%", 1), _f("land_mu", "用地", "亩", 1),
    _f("ent_id", "企业编号"), _f("energy_tce", "综合能耗", "吨标煤", 1),
    _f("rnd_wan", "研发投入", "万元", 1), _f("patents", "专利", "件", 0),
    _f("founded_year", "成立年份", "", 0), _f("high_tech", "高新技术企业", values=YES_NO_ZH),
    _f("specialized", "专精特新企业", values=YES_NO_ZH),
    _f("land_share", "用地分摊比例", "", 3), _f("grade_note", "参评说明"),
    _f("revenue_per_tce_wan", "单位能耗营业收入", "万元/吨标煤", 1),
    _f("rnd_intensity_pct", "研发投入强度", "%", 2),
    _f("revenue_per_employee_wan", "人均营业收入", "万元/人", 1),
    # Renewal plan and trajectory.
    _f("current_output_yi", "现状产出", "亿元", 3),
    _f("current_land_output_yi_per_km2", "现状地均产出", "亿元/km²", 1),
    _f("post_output_yi", "更新后产出", "亿元", 3),
    _f("gain_yi_per_km2", "地均增量", "亿元/km²", 1), _f("basis", "更新后产出依据"),
    _f("eligible", "可增收", values=YES_NO_ZH), _f("cum_area_km2", "累计面积", "km²", 3),
    _f("cum_gain_yi", "累计增收", "亿元", 2),
    _f("cum_land_output_main_yi_per_km2", "累计更新后目标年地均产出（主情景）", "亿元/km²", 2),
    _f("cum_land_output_conservative_yi_per_km2", "累计更新后目标年地均产出（保守情景）",
       "亿元/km²", 2),
    _f("scenario", "情景", values=SCENARIO_ZH),
    _f("revenue_without_plan_yi", "营业收入（不更新）", "亿元", 1),
    _f("land_output_without_plan_yi_per_km2", "地均产出（不更新）", "亿元/km²", 2),
    _f("renewal_revenue_yi", "更新带来的收入", "亿元", 2),
    _f("revenue_with_plan_yi", "营业收入（按更新方案）", "亿元", 1),
    _f("land_output_with_plan_yi_per_km2", "地均产出（按更新方案）", "亿元/km²", 2),
    _f("target_yi_per_km2", "目标地均产出", "亿元/km²", 1),
    _f("growth_pct", "年均自然增长率", "%", 2), _f("denominator", "用地口径"),
    # Summaries built by the report.
    _f("land_use", "用地分类代码"), _f("le_class", "低效认定原因"), _f("share_pct", "占比", "%", 1),
    _f("low_efficiency_parcels", "低效地块数", "块", 0),
    _f("low_efficiency_area_km2", "低效用地面积", "km²", 3),
])


def field_of(name: str, overrides: Mapping[str, Field] | None = None) -> Field:
    """Return the :class:`Field` of a column: from ``overrides``, FIELDS or TABLE_FIELDS."""
    if overrides and name in overrides:
        return overrides[name]
    return FIELDS.get(name) or TABLE_FIELDS.get(name) or Field(name, name)


def chinese_table(df: pd.DataFrame, columns: Sequence[str] | None = None,
                  overrides: Mapping[str, Field] | None = None,
                  as_text: bool = False) -> pd.DataFrame:
    """Select ``columns`` (those present) and give them Chinese headings with units.

    Parameters
    ----------
    df
        A result table with zonekit's column names.
    columns
        Columns in the order wanted; default all.
    overrides
        Per-table headings, e.g. ``{"name_zh": Field("name_zh", "指标")}``.
    as_text
        Format every value as text with the field's decimals (HTML tables); otherwise
        numbers stay numbers, unrounded, and coded values become Chinese text (workbooks).

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``; columns renamed to ``名称（单位）``.
    """
    import pandas as pd

    cols = [c for c in (columns or list(df.columns)) if c in df.columns and c != "geometry"]
    out = pd.DataFrame(index=df.index)
    formats: dict[str, str] = {}
    for col in cols:
        info = field_of(col, overrides)
        values = df[col]
        formats[info.heading] = number_format(info, col in YEAR_COLUMNS)
        if col in YEAR_COLUMNS:  # 2024, never 2,024 or 2024.0
            years = pd.to_numeric(values, errors="coerce").round().astype("Int64")
            out[info.heading] = years.astype("string").fillna("—") if as_text else years
        elif as_text:
            out[info.heading] = [info.format(v) for v in values]
        elif info.values:
            out[info.heading] = [info.format(v) if not is_missing(v) else None for v in values]
        else:
            out[info.heading] = _whole(values) if info.decimals == 0 else values
    out.attrs["number_formats"] = formats  # read by write_workbook
    return out


def _whole(values: pd.Series) -> pd.Series:
    """Store counts (a field shown without decimals) as integers when they are whole.

    Examples
    --------
    >>> import pandas as pd
    >>> _whole(pd.Series([276.0, None])).tolist(), _whole(pd.Series([0.5])).tolist()
    ([276, <NA>], [0.5])
    """
    import pandas as pd

    if not pd.api.types.is_float_dtype(values):
        return values
    known = values.dropna()
    if len(known) and not (known == known.round()).all():
        return values  # not whole: kept as computed, shown without decimals
    return values.round().astype("Int64")


def number_format(info: Field, year: bool = False) -> str:
    """Excel number format of a field: thousands separators, its decimals, % for shares.

    Examples
    --------
    >>> number_format(Field("a", "面积", "km²", 2)), number_format(Field("s", "占比", "%", 1))
    ('#,##0.00', '#,##0.0"%"')
    """
    if year:
        return "0"
    if info.decimals is None:
        return "General"
    body = "#,##0" + ("." + "0" * info.decimals if info.decimals > 0 else "")
    return f'{body}"%"' if info.unit == "%" else body


def _sheet_name(name: str, used: set[str]) -> str:
    bad = '[]:*?/\\'
    base = "".join("_" if ch in bad else ch for ch in name)[:31] or "表"
    candidate, i = base, 2
    while candidate in used:
        candidate = f"{base[:28]}_{i}"
        i += 1
    used.add(candidate)
    return candidate


def write_workbook(tables: Mapping[str, pd.DataFrame], path: Path | str,
                   notes: Sequence[str] = (), mark: str = "") -> Path:
    """Write one sheet per table (already with Chinese headers) to an ``.xlsx`` file.

    Numbers get the formats :func:`chinese_table` recorded (thousands separators, the
    field's decimals, % for shares). Every sheet prints on A4 fitted to one page's width
    (portrait when it fits, else landscape), with borders, its header row repeated on every
    page and the sheet name and page number in the footer. A table of more than
    :data:`LIST_ROWS` rows is a list: filters on its header, and its print area is only the
    note above it (how to print it), so printing the workbook gives the summary tables.

    Parameters
    ----------
    tables
        Sheet name → table. Names are cut to Excel's 31 characters.
    path
        The ``.xlsx`` file, written atomically.
    notes
        Lines for a first sheet ``说明`` (data source, synthetic-data warning, units).
    mark
        A warning written above the header of every sheet and in every printed page's
        header, e.g. that the data is the synthetic sample; empty for none.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from openpyxl import Workbook

    from zonekit.zones.io import atomic_path

    path = Path(path)
    used: set[str] = set()
    wb = Workbook(write_only=True)  # streams rows: several times faster on large sheets
    sheets = ({"说明": _notes_frame(notes)} if notes else {}) | dict(tables)
    styles: dict[tuple[str, bool], str] = {}
    for name, table in sheets.items():
        _write_sheet(wb.create_sheet(_sheet_name(name, used)), table, mark, styles)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _write_sheet(ws: Any, table: pd.DataFrame, mark: str,
                 styles: dict[tuple[str, bool], str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    formats = table.attrs.get("number_formats", {})
    widths = column_widths(table, formats)
    top = [(mark, Font(bold=True, color="7A4D00"))] if mark else []
    listing = len(table) > LIST_ROWS
    if listing:
        top += [(line, Font(italic=True, color="555555")) for line in list_note(len(table))]
    header_row = len(top) + 1
    print_setup(ws, widths, header_row, mark)
    if listing:
        last = get_column_letter(max(len(widths), 1))
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(table)}"
        ws.print_area = f"A1:{get_column_letter(columns_holding(widths))}{header_row - 1}"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    lines = max([-(-text_width(str(c)) // max(w - 1, 1)) for c, w in zip(table.columns, widths,
                                                                         strict=True)] or [1])
    ws.row_dimensions[header_row].height = 15 * lines + 3  # wrapped headers stay in their row
    for i, n in enumerate(wrapped_lines(table, widths), start=header_row + 1):
        if n > 1:  # LibreOffice does not fit rows to wrapped text when it opens the file
            ws.row_dimensions[i].height = 15 * n
    for text, font in top:
        note = WriteOnlyCell(ws, value=text)
        note.font = font
        ws.append([note])
    header = []
    for col in table.columns:
        cell = WriteOnlyCell(ws, value=str(col))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = thin_border()
        header.append(cell)
    ws.append(header)
    names = [cell_style(ws.parent, styles, formats.get(str(c), "General"), wrapped(table, c))
             for c in table.columns]
    by_row = table.attrs.get("row_formats", {})  # {heading: format of each row}
    for i, row in enumerate(table.itertuples(index=False)):
        cells = []
        for col, value, style in zip(table.columns, row, names, strict=True):
            cell = WriteOnlyCell(ws, value=_cell(value))
            if col in by_row:
                style = cell_style(ws.parent, styles, by_row[col][i], False)
            cell.style = style  # one named style per format: far faster than cell by cell
            cells.append(cell)
        ws.append(cells)


def _notes_frame(notes: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"说明": list(notes)})


def _cell(value: object) -> object:
    """Make a value openpyxl can write: NaN/NA → empty, numpy scalars → Python."""
    import pandas as pd

    if value is None or (not isinstance(value, str | bytes) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


__all__ = ["TABLE_FIELDS", "chinese_table", "field_of", "write_workbook"]
