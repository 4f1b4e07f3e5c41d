"""The shape columns: the numpy character-class counting agrees with the plain per-character definition."""

from __future__ import annotations

import json
import math

import numpy as np

from stripper.features import _WORD, SHAPE_NAMES, shape, shapes


def _reference_counts(text: str) -> dict[str, float]:
    """The character-class columns defined one character at a time, as str methods define the classes."""
    s = text.strip()
    sample = s[:2000]
    m = min(len(s) or 1, 2000)
    letters = sum(c.isalpha() for c in sample) or 1
    words = _WORD.findall(sample)
    return {
        "log_words": min(math.log1p(len(words)), math.log1p(3000) - 2),
        "upper": sum(c.isupper() for c in sample) / letters,
        "digits": sum(c.isdigit() for c in sample) / m,
        "punct": sum((not c.isalnum()) and not c.isspace() for c in sample) / m,
        "non_ascii": sum(ord(c) > 127 for c in sample) / m,
        "title_words": sum(w[:1].isupper() for w in words) / (len(words) or 1),
        "sentences": math.log1p(sum(sample.count(c) for c in ".!?。！？")),
    }


TRICKY = [
    "", "   ", "x", "Ⅻ ½ ² ٣ 𝐀𝐁 😀 𠀀 ǅ ß İ", "a\udcff b", "_foo bar_ Baz", "X" * 2500 + " end.",
    "日本語の文章です。本当に？", "Über 2.000 Menschen – „Wir bleiben!“", "ПОДДЕРЖИТЕ НАС: 500 ₽ в месяц",
    "Photo: Jane Roe/City Wire/TASS", "   leading and trailing   ", "tab\tseparated\u00a0words",
]


def test_vectorised_shape_columns_equal_the_per_character_definition(repo):
    texts = list(TRICKY)
    for path in sorted((repo / "training_data").rglob("*.jsonl"))[::25]:
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    rows = shapes(texts)
    assert rows.shape == (len(texts), len(SHAPE_NAMES))
    for text, row in zip(texts, rows, strict=True):
        got = dict(zip(SHAPE_NAMES, row, strict=True))
        for name, want in _reference_counts(text).items():
            assert math.isclose(got[name], want, abs_tol=1e-12), (text[:60], name, got[name], want)
    # one text alone gives the same row as inside a batch (no leakage between neighbours)
    for i in (0, 3, 5, len(TRICKY) + 1):
        assert np.allclose(shape(texts[i]), rows[i])


def _assert_column_marks(name: str, marked: list[str], unmarked: list[str]) -> None:
    col = SHAPE_NAMES.index(name)
    assert all(shape(t)[col] == 1 for t in marked), [t for t in marked if shape(t)[col] != 1]
    assert all(shape(t)[col] == 0 for t in unmarked), [t for t in unmarked if shape(t)[col] != 0]


def test_tail_credit_column_marks_credits_at_the_end_of_a_line():
    credits = ["Queues form at the night market. Daniel Fang for Lumen & Grain", "Jane Roe/City Wire/TASS",
               "Adriana Zelenko for The Meridian Post-Dispatch", "Volunteers at work. (Photo: Kenji Oduya / Courier)",
               "Foto: Hans Meier für Die Zeitung", "Riders board a bus on Tuesday. Amrit Sandhu/The Marrowick Voice",
               "MPs vote on the bill in Oslo. ERIK HAGEN/NPA POOL", "A blaze near Quilpue. TPB/Joaquin Pereda",
               "(Eliza Harmon / Sundial Desk)"]
    prose = ["He voted for the Labour Party in 2019.", "I bought it for Christmas Day.", "The price is 20/30 a month.",
             "The shop is open 24/7 all year.", "Choose one option and/or the other."]
    _assert_column_marks("tail_credit", credits, prose)


def test_media_prefix_column_marks_lines_that_open_as_captions_do():
    marked = ["Photo: Jane Roe", "Figure 2: The sign-in prompt", "[3/9] Nets drying on a fence", "2 of 6", "14/14",
              "Zdjęcie 4 z 12", "Infográfico: Tribuna | Fonte: Defesa Civil", "Скриншот: сторінка тендеру",
              "▲ Lanterns drift out of the harbour", "図1：回路図", "图 | 视觉中国", "資料照", "【写真】みかん畑"]
    unmarked = ["Photographers gathered outside the court.", "1/2 cup cold butter", "Figures released on Monday show",
                "写真展は毎年開かれている。", "摄影队的发起人是退休教师。", "Mapping the flood plain took two years."]
    _assert_column_marks("media_prefix", marked, unmarked)


def test_word_text_splits_chinese_and_japanese_into_characters_and_leaves_the_rest():
    from stripper.features import word_text

    assert word_text("読者の寄付で運営").split() == list("読者の寄付で運営")
    assert word_text("支持我们，每月10元").split() == ["支", "持", "我", "们", "，", "每", "月", "10", "元"]
    assert word_text("Support us. Café crème.") == "Support us. Café crème."
    assert word_text("Поддержите нас") == "Поддержите нас"


def test_report_column_marks_reported_speech_in_several_languages():
    reports = ["The newsletter says it now has 3,000 paying readers.", "„Wir bleiben“, sagte die Wirtin.",
               "Selon la mairie, les travaux dureront un an.", "По словам директора, школа откроется в мае.",
               "市の担当者によると、工事は来年に終わる。"]
    pitches = ["Subscribe now for $5 a month.", "Unterstützen Sie uns mit einem Abo.", "Soutenez-nous dès 1 €."]
    _assert_column_marks("report", reports, pitches)


def test_repeat_columns_mark_repeated_lines_and_shared_sentences():
    from stripper.features import REPEAT_NAMES, repeats

    body = ("Fares stay frozen until 2026, the council said. Riders board a 14 bus at Lantern Square station on "
            "Tuesday. The freeze costs the city about 2 million a year.")
    caption = "Riders board a 14 bus at Lantern Square station on Tuesday. Amrit Sandhu/The Voice"
    texts = ["Share", caption, body, "Share", "An unrelated closing paragraph of the article, long enough."]
    rows = {name: repeats(texts)[:, j].tolist() for j, name in enumerate(REPEAT_NAMES)}
    assert np.allclose(rows["repeated"], [1 / 3, 0, 0, 1 / 3, 0])
    assert rows["shared"][1] > 0.5 and 0.2 < rows["shared"][2] < 0.5
    assert rows["shared"][0] == rows["shared"][3] == rows["shared"][4] == 0
    assert repeats([]).shape == (0, len(REPEAT_NAMES))
