"""Chinese search tokens: pure functions, no database (KB-2, KB-3).

The index holds every overlapping pair of CJK characters (bigrams), so any substring of two
or more characters is a run of adjacent tokens and recall equals substring search; jieba
words were measured to miss (`跳` found 0 of 32,576 rows that contain it). Tokens are plain
space-separated words of CJK or letters/digits only, so PostgreSQL's parser (`to_tsvector
('simple', …)`) and SQLite's `unicode61` tokenizer both see exactly the same words in the
same positions, which is what makes the two backends return the same hits.

Stream of one CJK run c1…cn: c1c2 c2c3 … c(n-1)cn cn. The trailing single character makes
every occurrence of a character the first character of some token (so a one-character query
is a prefix match) and, sitting between two runs, stops a phrase from matching across
punctuation (`空调，调试` must not match `空调试`).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Scripts written without spaces: Han (BMP and extensions B-G), 々 〇, kana, Hangul. Only
# assigned code points (Unicode 14): an unassigned one is a letter to one tokenizer and a
# separator to another. NFKC has already mapped compatibility ideographs to unified ones.
_CJK = (
    "\u3005\u3007\u3041-\u3096\u30a1-\u30fa\u30fc-\u30fe\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
    "\ufa0e-\ufa29\U00020000-\U0002a6df\U0002a700-\U0002b738\U0002b740-\U0002b81d\U0002b820-\U0002cea1"
    "\U0002ceb0-\U0002ebe0\U00030000-\U0003134a"
)
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_CJK_ONLY = re.compile(rf"[{_CJK}]+")

# PostgreSQL skips words over 2,047 bytes; a tsvector keeps positions only up to 16,383, past
# which phrases can't be told apart. Both limits are applied here so both databases agree.
MAX_WORD = 64
MAX_TOKENS = 16_000
MAX_EXTRA = 4_000
# A query longer than this is not a search but a pasted document; keep the SQL bounded.
MAX_QUERY_CHARS = 200
MAX_TERMS = 16

USERDICT = Path(__file__).with_name("userdict.txt")

# Words that say nothing about the fault; skipped when a whole sentence is turned into a
# suggestion query (KB-3). Plain search never drops what the user typed.
_STOPWORDS = (
    "客户 用户 顾客 问题 反映 反馈 出现 发生 一下 现在 已经 还是 可以 没有 什么 怎么 这个 那个 "
    "我们 你们 他们 请问 谢谢 您好 你好 麻烦 需要 一直 时候 情况 然后 但是 因为 所以 就是"
)
STOPWORDS = frozenset(_STOPWORDS.split())


def normalise(text: str) -> str:
    # NFKC folds full-width letters and digits (ＫＦＲ－３５ＧＷ) and compatibility ideographs.
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(text: str):
    """(kind, run) for each maximal CJK run or letter/digit run."""
    for m in _RUN.finditer(text):
        run = m.group()
        if m.group("cjk"):
            yield "cjk", run
        elif run.isascii():
            yield "word", run
        else:
            # Python counts "other numbers" (৴, 𝍠; category No) as alphanumeric, PostgreSQL's
            # parser doesn't: split on them so both see the same words.
            for part in _split_other_numbers(run):
                yield "word", part


def _split_other_numbers(run: str) -> list[str]:
    parts, current = [], ""
    for ch in run:
        if unicodedata.category(ch) == "No":
            parts.append(current)
            current = ""
        else:
            current += ch
    return [p for p in [*parts, current] if p]


def _cjk_tokens(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


@cache
def _jieba():
    """rjieba with the domain words, loaded on first use (importing it builds its dictionary)."""
    import rjieba

    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        parts = line.split("#", 1)[0].split()
        if parts:
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            rjieba.add_word(parts[0], freq, None)
    return rjieba


def index_tokens(text: str) -> str:
    """The value of a model's `search_tokens` column for `text`."""
    text = normalise(text)
    stream: list[str] = []
    for kind, run in _runs(text):
        stream.extend(_cjk_tokens(run) if kind == "cjk" else [run[:MAX_WORD]])
        if len(stream) >= MAX_TOKENS:
            break
    stream = stream[:MAX_TOKENS]
    # jieba words of 3+ characters, after the stream so they never sit between two bigrams.
    # They only lift the rank of whole-word matches; 2-character words are already bigrams
    # (and, appended side by side, would let a phrase match words from different places).
    extra = [w for w in _jieba().cut_for_search(text) if len(w) >= 3 and _CJK_ONLY.fullmatch(w)]
    return " ".join(stream + extra[:MAX_EXTRA])


@dataclass(frozen=True)
class Term:
    """One thing a hit must contain: adjacent tokens (a phrase), the last one maybe a prefix.

    `word` is the whole word as a jieba token: OR-ed with the phrase it never changes the hits
    (a row has the word token only if it has the phrase) but ranks whole-word matches higher.
    """

    tokens: tuple[str, ...]
    prefix: bool = False
    word: str = ""


def _cjk_term(run: str) -> Term:
    if len(run) == 1:
        return Term((run,), prefix=True)
    bigrams = tuple(run[i : i + 2] for i in range(len(run) - 1))
    return Term(bigrams, word=run if len(run) >= 3 else "")


def _dedupe(terms: list[Term]) -> tuple[Term, ...]:
    return tuple(dict.fromkeys(terms))[:MAX_TERMS]


def query_tokens(q: str) -> tuple[Term, ...]:
    """Terms that must all match (KB-2): a substring search, CJK and model numbers alike.

    A CJK run of two or more characters is a phrase of its bigrams; one character is a prefix;
    letters and digits are a prefix, and `KFR-35GW` (no space) is the phrase `kfr 35gw*`.
    Everything else — quotes, `*`, `:`, brackets, AND/NEAR as operators — is dropped here, so
    no user input reaches FTS5 or tsquery syntax.
    """
    terms: list[Term] = []
    for chunk in normalise(q)[:MAX_QUERY_CHARS].split():
        words: list[str] = []  # letter/digit runs joined by punctuation within the chunk
        for kind, run in _runs(chunk):
            if kind == "word":
                words.append(run[:MAX_WORD])
                continue
            if words:
                terms.append(Term(tuple(words), prefix=True))
                words = []
            terms.append(_cjk_term(run))
        if words:
            terms.append(Term(tuple(words), prefix=True))
    return _dedupe(terms)


def suggestion_tokens(text: str) -> tuple[Term, ...]:
    """Terms of which any may match (KB-3): the words of a typed phenomenon, ranked by overlap.

    The sentence is cut by jieba; each word of two or more characters becomes a term (still
    bigram phrases underneath, so recall doesn't depend on how the rows were segmented).
    """
    text = normalise(text)[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for word in _jieba().cut(text):
        if word in STOPWORDS:
            continue
        if _CJK_ONLY.fullmatch(word):
            if len(word) >= 2:
                terms.append(_cjk_term(word))
        elif len(word) >= 2:
            terms.extend(query_tokens(word))  # model numbers (kfr-35gw), fault codes (e3)
    if not terms:
        # Nothing but short words: search for what was typed, as the search box would.
        return query_tokens(text)
    return _dedupe(terms)
