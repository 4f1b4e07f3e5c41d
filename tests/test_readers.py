"""Readers: plain text, HTML, decoding and format sniffing."""

from __future__ import annotations

import pytest

from stripper.readers import InputError, _pieces, decode, read, read_html, read_text, sniff_format


def texts(doc):
    return [p.text for p in doc.paragraphs]


def test_text_one_paragraph_per_nonempty_line():
    doc = read_text("First line.\n\n  \nSecond line.\nThird line.\n")
    assert texts(doc) == ["First line.", "Second line.", "Third line."]
    assert [p.index for p in doc.paragraphs] == [0, 1, 2]
    assert doc.format == "text"


def test_text_lines_are_kept_verbatim():
    doc = read_text("  indented line with trailing space \r\nnext\n")
    assert texts(doc) == ["  indented line with trailing space ", "next"]


def test_hard_wrapped_blocks_are_joined():
    wrapped = ("The council met on Tuesday evening to debate the proposal for a new\n"
               "footbridge over the river, which residents have asked for since the old\n"
               "one closed in the spring floods.\n\n"
               "A second paragraph that fits on one line.\n")
    doc = read_text(wrapped)
    assert len(doc.paragraphs) == 2
    assert doc.paragraphs[0].text.startswith("The council met") and doc.paragraphs[0].text.endswith("spring floods.")
    assert "new footbridge" in doc.paragraphs[0].text


def test_short_lines_in_a_block_stay_separate():
    doc = read_text("Home\nWorld\nSport\n\nThe body of the article is a single long line of text here.\n")
    assert texts(doc)[:3] == ["Home", "World", "Sport"]


def test_empty_and_blank_input():
    assert read("").paragraphs == []
    assert read("   \n\n\t\n").paragraphs == []
    assert read(b"").paragraphs == []


def test_fifty_thousand_one_word_lines():
    doc = read_text("\n".join(f"w{i}" for i in range(50_000)))
    assert len(doc.paragraphs) == 50_000
    assert doc.paragraphs[-1].text == "w49999"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16"])
def test_non_utf8_is_decoded(encoding):
    text = "Le café de la place Saint-Étienne a rouvert ses portes après les travaux de l'été."
    assert decode(text.encode(encoding)) == text


@pytest.mark.parametrize("text", ["Café", "Zoë’s naïve café – 5 €", "Crème brûlée"])
def test_short_windows_1252_text_is_not_mistaken_for_another_charset(text):
    assert decode(text.encode("cp1252")) == text


@pytest.mark.parametrize("encoding, head", [
    ("shift_jis", '<html><head><meta charset="Shift_JIS"></head>'),
    ("cp1251", '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'),
    ("iso-8859-2", '<?xml version="1.0" encoding="ISO-8859-2"?><html><head></head>'),
])
def test_declared_charset_decides_for_bytes_that_are_not_utf8(encoding, head):
    body = {"shift_jis": "市役所は来年度の予算案を発表した。", "cp1251": "Городской совет утвердил бюджет.",
            "iso-8859-2": "Rada miasta przyjęła budżet na przyszły rok."}[encoding]
    page = f"{head}<body><p>{body}</p></body></html>"
    assert decode(page.encode(encoding)) == page


def test_invalid_bytes_never_crash():
    raw = b"Valid start. \xff\xfe\xfa broken bytes \x81 end.\n"
    doc = read(raw)
    assert len(doc.paragraphs) == 1 and doc.paragraphs[0].text.startswith("Valid start.")


def test_utf8_bom_is_dropped():
    assert read("\ufeffHello there.".encode()).paragraphs[0].text == "Hello there."


def test_binary_is_refused():
    with pytest.raises(InputError):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_sniff_format():
    assert sniff_format("<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert sniff_format("  <div class='a'><p>Hello</p></div>") == "html"
    assert sniff_format("Plain text with a < sign and 3 > 2.") == "text"
    with pytest.raises(ValueError):
        read("x", format="pdf")


PAGE = """<!doctype html><html lang="en"><head><title>T</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article>
<h1>Harbour crane collapses in storm</h1>
<p>A container crane at the north harbour toppled during Sunday's storm, port officials said on Monday morning.</p>
<figure><img src="crane.jpg" alt=""><figcaption>The fallen crane on Monday. Photo: Ola Brandt/Harbour Daily</figcaption></figure>
<p>Nobody was hurt, according to the harbour master, who said the site had been cleared two hours earlier.</p>
<div class="c-block-7 support-box"><p>Our reporting is funded by readers like you. Become a member today from just $3 a month.</p></div>
<p>Repairs are expected to take at least six weeks, and ships are being diverted to the southern terminal meanwhile.</p>
<ul><li>Crane operators have been moved to other shifts.</li><li>The terminal will reopen on a reduced timetable.</li></ul>
</article></main>
<footer><p>© 2026 Harbour Daily. All rights reserved.</p></footer></body></html>"""


def test_html_paragraphs_carry_hints():
    doc = read_html(PAGE)
    by_text = {p.text: p for p in doc.paragraphs}
    assert doc.format == "html"
    body = by_text["Nobody was hurt, according to the harbour master, who said the site had been cleared two hours "
                   "earlier."]
    assert body.hints.tag == "p"
    caption = next(p for p in doc.paragraphs if p.text.startswith("The fallen crane"))
    assert "figure" in caption.hints.containers and caption.hints.tag == "figcaption"
    appeal = next(p for p in doc.paragraphs if p.text.startswith("Our reporting is funded"))
    assert "support" in appeal.hints.tokens and appeal.hints.containers == frozenset()
    items = [p for p in doc.paragraphs if p.hints.tag == "li"]
    assert len(items) == 2


def test_html_training_labels_come_from_nearest_data_label():
    page = ('<html><body data-label="boilerplate"><nav><a href="/">Home page link</a></nav>'
            '<article data-label="content"><p>The body paragraph of this short test page has enough words.</p>'
            '<div data-label="appeal"><p>Please support our newsroom with a monthly gift today.</p></div>'
            '<p>Another body paragraph that closes the story with a quote from the mayor.</p></article></body></html>')
    labels = {p.text: p.label for p in read_html(page, with_labels=True).paragraphs}
    assert labels["Please support our newsroom with a monthly gift today."] == "appeal"
    assert labels["The body paragraph of this short test page has enough words."] == "content"


def test_html_that_parses_to_nothing():
    assert read("<html><body></body></html>", format="html").paragraphs == []
    assert read("<html><head><script>var x = 1;</script></head></html>", format="html").paragraphs == []


def test_html_bytes_in_windows_1252():
    page = PAGE.replace("Sunday's storm", "Sunday’s storm – café").encode("cp1252")
    doc = read(page)
    assert doc.format == "html"
    assert any("Sunday’s storm – café" in p.text for p in doc.paragraphs)


def test_a_block_merging_several_page_blocks_is_split_back():
    page = ("<html><body><h1>Harbour crane collapses in storm</h1>"
            "<p>The council met on Tuesday to vote on the harbour budget.</p><p>Support the Harbour Daily!</p>"
            "</body></html>")
    doc = read_html(page)
    assert [p.text for p in doc.paragraphs] == ["Harbour crane collapses in storm",
                                                "The council met on Tuesday to vote on the harbour budget.",
                                                "Support the Harbour Daily!"]
    assert doc.paragraphs[0].hints.tag == "h1"


def test_pieces_needs_two_blocks_covering_most_of_the_text():
    blocks = ["Alpha beta.", "Gamma delta.", "Alpha beta. Gamma delta.", "beta"]
    assert _pieces("Alpha beta. Gamma delta.", blocks) == ["Alpha beta.", "Gamma delta."]
    assert _pieces("Alpha beta. Gamma delta. Ep", blocks) == ["Alpha beta.", "Gamma delta."]
    assert _pieces("Alpha beta. and a long tail that no block of the page covers at all", blocks) is None


@pytest.mark.parametrize("page, texts", [
    ("<p>A snippet of a page with one paragraph and no html element.</p>",
     ["A snippet of a page with one paragraph and no html element."]),
    ("<html><body>Bare body text.<script>var tracking = 1;</script><style>p {}</style></body></html>",
     ["Bare body text."]),
])
def test_pages_trafilatura_finds_nothing_in_still_give_their_text(page, texts):
    assert [p.text for p in read_html(page).paragraphs] == texts
