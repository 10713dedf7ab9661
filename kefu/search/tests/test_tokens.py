"""Search tokens without a database (KB-2, KB-3)."""

import re

from hypothesis import given
from hypothesis import strategies as st

from kefu.search.tokens import MAX_TOKENS, Term, index_tokens, query_tokens, suggestion_tokens

TOKEN = re.compile(r"[^\W_]+")


def stream(text: str) -> list[str]:
    """The positional part of the tokens (jieba words of 3+ characters come after it)."""
    return index_tokens(text).split()


def test_kb2_cjk_runs_become_overlapping_bigrams_and_a_trailing_character():
    assert stream("空调不制冷")[:5] == ["空调", "调不", "不制", "制冷", "冷"]


def test_kb2_a_lone_character_is_its_own_token():
    assert stream("冷")[0] == "冷"


def test_kb2_punctuation_separates_runs_so_no_phrase_spans_it():
    tokens = stream("空调，调试")
    assert tokens[:4] == ["空调", "调", "调试", "试"]  # 空调 and 调试 are not adjacent


def test_kb2_letters_and_digits_are_kept_whole_and_lower_cased():
    assert stream("KFR-35GW 报 E3")[:2] == ["kfr", "35gw"]
    assert "e3" in stream("KFR-35GW 报 E3")


def test_kb2_full_width_input_is_folded():
    assert stream("ＫＦＲ－３５ＧＷ")[:2] == ["kfr", "35gw"]


def test_kb2_jieba_words_of_three_or_more_characters_are_added_after_the_bigrams():
    tokens = index_tokens("加密锁识别失败，打印机卡纸").split()
    assert "加密锁" in tokens and "打印机" in tokens
    assert tokens.index("加密锁") > tokens.index("纸")


def test_kb2_two_character_jieba_words_are_not_added():
    # They are bigrams already; appended side by side they could fake a phrase.
    assert stream("空调。温度").count("空调") == 1


def test_kb2_tokens_are_bounded_for_long_texts():
    assert len(stream("空调不制冷" * 10_000)) <= MAX_TOKENS + 4_000


def test_kb2_query_of_two_characters_is_one_token():
    assert query_tokens("凭证") == (Term(("凭证",)),)


def test_kb2_longer_query_is_a_phrase_of_bigrams_with_the_word():
    assert query_tokens("不制冷") == (Term(("不制", "制冷"), word="不制冷"),)


def test_kb2_one_character_is_a_prefix():
    assert query_tokens("跳") == (Term(("跳",), prefix=True),)


def test_kb2_model_numbers_are_a_prefix_phrase():
    assert query_tokens("KFR-35") == (Term(("kfr", "35"), prefix=True),)
    assert query_tokens("打印E3") == (Term(("打印",)), Term(("e3",), prefix=True))


def test_kb2_operators_and_quotes_are_not_passed_through():
    terms = query_tokens('"凭证" AND (打印* OR NEAR(a b)) title:x ^y \'; DROP TABLE')
    for term in terms:
        for token in term.tokens:
            assert TOKEN.fullmatch(token), token


def test_kb2_an_empty_query_has_no_terms():
    assert query_tokens("") == ()
    assert query_tokens("  \u3000 ") == ()
    assert query_tokens("“”！？（）") == ()


def test_kb3_a_typed_sentence_becomes_its_words_without_filler():
    terms = suggestion_tokens("客户反映凭证无法打印")
    words = {"".join(t.tokens) if len(t.tokens) == 1 else t.word for t in terms}
    assert {"凭证", "无法", "打印"} <= words
    assert "客户" not in words and "反映" not in words


@given(st.text(max_size=60))
def test_kb2_tokens_are_only_letters_digits_or_cjk(text):
    for token in index_tokens(text).split():
        assert TOKEN.fullmatch(token), token
    for term in query_tokens(text) + suggestion_tokens(text):
        assert all(TOKEN.fullmatch(token) for token in term.tokens)
