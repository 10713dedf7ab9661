"""Masking of personal data (QS-6): phones, mobiles and addresses for roles that don't need them.

Pure functions on the ground floor so every output path — pages, the API, the list kit's
exports, PDFs — masks the same way. Who may see the raw values is the rules permission
`customers.view_personal_data` (kefu/customers/rules.py).
"""

import re

_DIGITS = re.compile(r"\d")


def mask_phone(value) -> str:
    """13812345678 → 138****5678; 021-58880001 → 021-****0001; short values keep only the end."""
    text = str(value or "")
    digits = _DIGITS.findall(text)
    if not digits:
        return text
    if text.startswith("+86"):
        text = text[3:]
        digits = digits[2:]
    n = len(digits)
    keep_head = 3 if n >= 11 else (min(4, n - 4) if n > 8 else 0)
    keep_tail = 4 if n > 4 else 1
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > n - keep_tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_address(value: str) -> str:
    """Keep the first 6 characters (the district), hide the street: 浦东新区张江路 88 号 → 浦东新区张江****."""
    text = str(value or "")
    if not text:
        return ""
    keep = min(6, max(len(text) // 3, 1))
    return text[:keep] + "****"


def personal(value, *, allowed: bool, kind: str = "phone") -> str:
    if allowed or not value:
        return str(value or "")
    return mask_address(value) if kind == "address" else mask_phone(value)
