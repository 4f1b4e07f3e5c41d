"""The library API: clean, label, Stripper (reuse, batching, threads, pickling)."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest

import stripper

ARTICLE = """Support the Larkfield Gazette!
Larkfield council approves new cycle lanes on Mill Road
The council chamber during Tuesday's vote. Photo: Tomas Hale/Larkfield Gazette
Larkfield's council voted on Tuesday to build protected cycle lanes along the full length of Mill Road, ending a two-year dispute between shop owners and residents.
The plan, approved by seven votes to four, will remove 40 parking spaces and add a signalled crossing near the primary school.
"This is the safest option we have looked at," said councillor Priya Anand, who chairs the transport committee.
Shop owners had argued that losing parking would cut trade, and several spoke against the plan at the meeting.
Work is due to start in March and should take about five months, the council said.
We have a small favor to ask. The Gazette is funded by its readers, and every contribution keeps local reporting free for everyone. Support us monthly from just $2. Thank you.
Not ready to support today?
Remind me later.
Read more
"""


def test_clean_keeps_body_and_drops_the_rest():
    out = stripper.clean(ARTICLE)
    lines = out.split("\n")
    assert "Larkfield's council voted on Tuesday" in out
    assert "Work is due to start in March" in out
    assert not any("favor to ask" in line or "Remind me later" in line or line == "Read more" for line in lines)
    assert not any("Photo: Tomas Hale" in line for line in lines)


def test_clean_returns_text_paragraphs_verbatim_in_order():
    out = stripper.clean(ARTICLE)
    source = ARTICLE.splitlines()
    lines = out.split("\n")
    positions = [source.index(line) for line in lines]
    assert positions == sorted(positions)


def test_label_gives_index_text_label_and_normalised_probs():
    paragraphs = stripper.label(ARTICLE)
    assert [p.index for p in paragraphs] == list(range(len(ARTICLE.strip().splitlines())))
    for p in paragraphs:
        assert p.label in stripper.LABELS
        assert set(p.probs) == set(stripper.LABELS)
        assert abs(sum(p.probs.values()) - 1.0) < 1e-6
        assert p.probs[p.label] == max(p.probs.values())
    labels = {p.text: p.label for p in paragraphs}
    assert labels["Remind me later."] == "appeal"
    assert labels["The council chamber during Tuesday's vote. Photo: Tomas Hale/Larkfield Gazette"] == "caption"


def test_keep_captions_too():
    out = stripper.clean(ARTICLE, keep=("content", "caption"))
    assert "Photo: Tomas Hale/Larkfield Gazette" in out
    assert "favor to ask" not in out


def test_unknown_keep_label_and_bad_threshold_are_refused():
    with pytest.raises(ValueError, match="unknown label"):
        stripper.Stripper(keep=("content", "ads"))
    with pytest.raises(ValueError, match="threshold"):
        stripper.Stripper(threshold=1.5)


def test_threshold_trades_recall_for_precision():
    low = stripper.Stripper(threshold=0.0).clean(ARTICLE)
    high = stripper.Stripper(threshold=1.0).clean(ARTICLE)
    assert low == ARTICLE.strip("\n")
    assert len(high) < len(stripper.clean(ARTICLE)) or high == ""


def test_bytes_and_str_give_the_same_result():
    assert stripper.clean(ARTICLE.encode("utf-8")) == stripper.clean(ARTICLE)
    assert stripper.clean(ARTICLE.encode("cp1252", errors="replace")) == stripper.clean(ARTICLE)


def test_empty_input():
    assert stripper.clean("") == ""
    assert stripper.label(b"") == []


def test_html_input_auto_detected():
    page = ("<html><body><article><h1>Larkfield council approves new cycle lanes</h1>"
            + "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines()[3:8]) + "</article></body></html>")
    out = stripper.clean(page)
    assert "Larkfield's council voted on Tuesday" in out
    assert "<p>" not in out


def test_clean_many_matches_clean_and_keeps_order():
    s = stripper.Stripper()
    docs = [ARTICLE, "", "Only one line of body text that reports something.", ARTICLE.replace("Tuesday", "Monday")]
    assert list(s.clean_many(docs, batch_size=3)) == [s.clean(d) for d in docs]


def test_stripper_is_thread_safe():
    s = stripper.Stripper()
    docs = [ARTICLE.replace("Mill Road", f"Road {i}") for i in range(16)]
    expected = [s.clean(d) for d in docs]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(s.clean, docs)) == expected


def test_stripper_pickles_without_the_model():
    s = stripper.Stripper(keep=("content", "caption"), threshold=0.4)
    s.model  # noqa: B018 - loads it
    data = pickle.dumps(s)
    assert len(data) < 10_000
    clone = pickle.loads(data)
    assert clone.keep == ("content", "caption") and clone.threshold == 0.4
    assert clone.clean(ARTICLE) == s.clean(ARTICLE)
