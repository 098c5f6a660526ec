"""Console wording shared by every package: a count with its noun in the right number."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """Return ``n`` with thousands separators and its noun, singular for exactly one.

    Parameters
    ----------
    n : int
        The count.
    singular : str
        The noun for one (``"facility"``).
    plural : str, optional
        The noun for other counts; ``singular + "s"`` when not given.

    Examples
    --------
    >>> counted(1, "facility", "facilities"), counted(1200, "site")
    ('1 facility', '1,200 sites')
    """
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
