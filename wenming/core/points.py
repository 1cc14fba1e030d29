"""Exact point arithmetic in integer hundredths of a point (centipoints).

Every score in Wenming is an ``int`` of hundredths: 899.5 points is ``89950``. Frameworks may
only use points with at most two decimals, so sums and comparisons are exact; the only
rounding happens when a share (e.g. 66% of 3 points) is taken, and it is half-up to 0.01.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCALE = 100


class PointsError(ValueError):
    """A number that cannot be used as points (message in Chinese)."""


def to_centi(value: Decimal | int | float | str) -> int:
    """Convert a number of points to exact hundredths; more than two decimals is an error."""
    try:
        dec = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise PointsError(f"“{value}”不是有效的数字") from exc
    if not dec.is_finite():
        raise PointsError(f"“{value}”不是有效的数字")
    scaled = dec * SCALE
    if scaled != scaled.to_integral_value():
        raise PointsError(f"分值“{value}”最多保留两位小数")
    return int(scaled)


def share_of(centi: int, percent: Decimal | int) -> int:
    """Take ``percent`` % of ``centi`` hundredths, rounded half-up to a hundredth."""
    exact = Decimal(centi) * Decimal(percent) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_decimal(centi: int) -> Decimal:
    return Decimal(centi) / SCALE


def fmt(centi: int) -> str:
    """Format hundredths the way score sheets print them: 89950 → "899.5", 200 → "2"."""
    sign = "-" if centi < 0 else ""
    whole, frac = divmod(abs(centi), SCALE)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


def fmt_decimal(value: Decimal) -> str:
    """Format a Decimal of points the same way: Decimal("100.00") → "100"."""
    return fmt(to_centi(value))
