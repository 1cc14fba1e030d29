"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALUES = {ch: i for i, ch in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid credit code, else the reason in Chinese."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位,“{code}”为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        return f"统一社会信用代码含有无效字符“{''.join(bad)}”(不使用I、O、S、V、Z)"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位应为行政区划代码(数字)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误:第18位应为“{expected}”"
    return None


def normalize(code: str) -> str:
    return code.strip().upper()


def make_credit_code(*, category: str = "12", region: str = "330100", serial: int) -> str:
    """Build a valid code (for demo data and tests): category + region + 9-char id + check."""
    body = f"{serial:08d}"
    org = body + check_org(body)
    first17 = f"{category}{region}{org}"
    return first17 + check_character(first17)


def check_org(body8: str) -> str:
    """Check character of the 9-character organisation code part (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(VALUES[ch] * w for ch, w in zip(body8, weights, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))
