"""Layout of the workbook's sheets: column widths, wrapped text, borders and printing.

Every sheet prints on A4 fitted to one page's width (portrait when it fits), with its
header row repeated and page numbers in the footer; a long list is set for filtering and
prints only a note saying how to print it. Used by :func:`zonekit.maps.workbook.write_workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zonekit.maps.style import is_missing

if TYPE_CHECKING:
    import pandas as pd

#: A table longer than this is a list to filter and look up, not pages to read: it gets
#: filters and borders and prints only a note saying how to print it (66 A4 pages of the
#: sample's 6,270 firms helped nobody).
LIST_ROWS = 200
#: Widest table (Excel character units) printed portrait on A4 (≈ 100 at 100 %, 1.8 cm
#: margins); wider tables print landscape, and both are fitted to one page's width.
PORTRAIT_WIDTH = 100
#: Widest text column (Excel character units); longer text wraps within the cell.
WRAP_WIDTH = 30
#: Text units a wrapped line holds per unit of column width (digits are narrower than
#: one unit; measured on the sample in LibreOffice), to size rows of wrapped text.
LINE_FILL = 1.1


def print_setup(ws: Any, widths: Sequence[float], header_row: int, mark: str) -> None:
    """A4, fitted to one page wide, portrait when it fits; header row repeated; page numbers."""
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "portrait" if sum(widths) <= PORTRAIT_WIDTH else "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if mark:
        ws.oddHeader.center.text = mark
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"


def column_widths(table: pd.DataFrame, formats: Mapping[str, str]) -> list[float]:
    """Width of each column in Excel's character units, from its heading and values.

    Text columns of a table with several columns stop at :data:`WRAP_WIDTH` (their text
    wraps, see :func:`wrapped`) so one long note does not shrink the whole printed page.
    """
    widths = []
    for col in table.columns:
        sample = [_shown(v, formats.get(str(col), "General")) for v in table[col].head(200)]
        width = min(max([text_width(str(col)) / 2 + 1, *map(text_width, sample), 6]) + 2, 60)
        widths.append(min(width, WRAP_WIDTH) if wrapped(table, col) else width)
    return widths


def wrapped_lines(table: pd.DataFrame, widths: Sequence[float]) -> list[int]:
    """Lines each row's wrapped text takes (1 for a row without wrapped text)."""
    lines = [1] * len(table)
    for col, width in zip(table.columns, widths, strict=True):
        if wrapped(table, col):
            per = [-(-text_width(str(v)) // max(width * LINE_FILL, 1)) if not is_missing(v) else 1
                   for v in table[col]]
            lines = [max(a, int(b)) for a, b in zip(lines, per, strict=True)]
    return lines


def wrapped(table: pd.DataFrame, col: object) -> bool:
    """Whether a column's text wraps: a text column, in a table of several columns."""
    import pandas as pd

    return len(table.columns) > 1 and not pd.api.types.is_numeric_dtype(table[col])


def columns_holding(widths: Sequence[float], note_width: float = 100) -> int:
    """Count the leading columns a note of ``note_width`` units needs (to print it whole)."""
    total = 0.0
    for i, width in enumerate(widths, start=1):
        total += width
        if total >= note_width:
            return i
    return max(len(widths), 1)


def thin_border() -> Any:
    """Return the light grey thin border of every table cell."""
    from openpyxl.styles import Border, Side

    side = Side(style="thin", color="BFBFBF")
    return Border(left=side, right=side, top=side, bottom=side)


def cell_style(wb: Any, styles: dict[tuple[str, bool], str], fmt: str, wrapped: bool) -> str:
    """Name of the workbook's style for cells of number format ``fmt``, bordered, wrapped."""
    from openpyxl.styles import Alignment, NamedStyle

    if (fmt, wrapped) not in styles:
        name = f"zonekit {len(styles) + 1}"
        wb.add_named_style(NamedStyle(
            name=name, number_format=fmt, border=thin_border(),
            alignment=Alignment(wrap_text=wrapped, vertical="top")))
        styles[fmt, wrapped] = name
    return styles[fmt, wrapped]


def list_note(rows: int) -> list[str]:
    """Return the lines above a long list: what it is, that it does not print, how to.

    Examples
    --------
    >>> list_note(6270)[0]
    '本表为完整名单，共 6,270 行，可按表头筛选；默认打印时只打印这两行说明。'
    """
    return [f"本表为完整名单，共 {rows:,} 行，可按表头筛选；默认打印时只打印这两行说明。",
            "打印全表：Excel 中“页面布局 → 打印区域 → 取消打印区域”，"
            "LibreOffice 中“格式 → 打印范围 → 清除”。"]


def _shown(value: object, fmt: str) -> str:
    """Roughly the text Excel shows for ``value`` in format ``fmt`` (for column widths)."""
    if fmt == "General" or isinstance(value, str):
        return str(value)
    try:
        decimals = len(fmt.split(".")[1].split('"')[0]) if "." in fmt else 0
        return f"{float(value):,.{decimals}f}" + ("%" if "%" in fmt else "")
    except (TypeError, ValueError):
        return str(value)


def text_width(text: str) -> float:
    """Display width of ``text`` in Excel's character units (CJK counts double)."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.0 for ch in text)


__all__ = ["LIST_ROWS", "PORTRAIT_WIDTH", "WRAP_WIDTH", "cell_style", "column_widths",
           "columns_holding", "list_note", "print_setup", "text_width", "thin_border",
           "wrapped", "wrapped_lines"]
