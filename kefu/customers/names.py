"""Customer names: the normalised key for duplicate detection, and pinyin initials for search.

Duplicate detection (CRM-1) compares full and short names with legal-form suffixes, spaces,
brackets and full-width forms removed, so "上海演示科技有限公司" and "上海 演示科技股份有限公司"
are the same key. Pinyin initials let a user type "shys" for 上海演示; they come from the
GB2312 ordering of level-1 characters (sorted by pinyin), which needs no dictionary package:
level-2 and non-GB2312 characters contribute nothing, and polyphones take their first reading.
"""

import re
import unicodedata

# Longest first: "股份有限公司" must go before "有限公司" would leave "股份".
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "公司",
    "集团",
    "股份",
)
_NOISE = re.compile(r"[\s()\[\]{}<>《》（）【】·.,，、\-_/\\'\"“”‘’]+")

# First GB2312 code of each initial's range among level-1 characters (0xB0A1–0xD7F9).
_GB_BOUNDS = (
    (45217, "A"),
    (45253, "B"),
    (45761, "C"),
    (46318, "D"),
    (46826, "E"),
    (47010, "F"),
    (47297, "G"),
    (47614, "H"),
    (48119, "J"),
    (49062, "K"),
    (49324, "L"),
    (49896, "M"),
    (50371, "N"),
    (50614, "O"),
    (50622, "P"),
    (50906, "Q"),
    (51387, "R"),
    (51446, "S"),
    (52218, "T"),
    (52698, "W"),
    (52980, "X"),
    (53689, "Y"),
    (54481, "Z"),
)
_GB_LEVEL1_END = 55289


def name_key(name: str) -> str:
    """The comparison key of a company name: NFKC, lower case, no spaces or brackets, no legal suffix."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", name or "")).lower()
    changed = True
    while changed and text:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def _initial(char: str) -> str:
    if char.isascii():
        return char.upper() if char.isalnum() else ""
    try:
        raw = char.encode("gb2312")
    except UnicodeEncodeError:
        return ""
    if len(raw) != 2:
        return ""
    code = raw[0] * 256 + raw[1]
    if not _GB_BOUNDS[0][0] <= code <= _GB_LEVEL1_END:
        return ""
    letter = ""
    for start, initial in _GB_BOUNDS:
        if code < start:
            break
        letter = initial
    return letter


def initials(name: str) -> str:
    """Pinyin initials in upper case: "上海演示科技" → "SHYSKJ"."""
    return "".join(_initial(c) for c in unicodedata.normalize("NFKC", name or ""))[:60]
