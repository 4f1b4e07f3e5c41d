"""What the shipped model does with each label's typical forms, hard negatives and other languages.

Every document here is written for the tests and is not in training_data/.
"""

from __future__ import annotations

import stripper


def labels_of(lines: list[str]) -> dict[str, str]:
    return {p.text: p.label for p in stripper.label("\n".join(lines), format="text")}


BODY = [
    "Flood barrier on the Ouse to be raised by a metre",
    "The Environment Agency will raise the flood barrier at Kellbridge by a metre after last winter's floods "
    "swamped more than 300 homes on the east bank, officials confirmed on Thursday.",
    "The £18m scheme, which starts in April, was approved after two years of consultation with residents and "
    "businesses along the riverside.",
    "\"We cannot promise nobody will ever be flooded again, but this gives the town a far better chance,\" said "
    "Marian Okafor, who leads the agency's work in the area.",
    "Some residents said the work came too late. Dennis Pryce, whose bakery on Water Lane was flooded twice, said "
    "he had already moved his ovens upstairs.",
    "The barrier will be closed for six weeks during the work, and temporary defences will be put in place.",
]


NAV = ["Home", "News", "Environment"]


def test_headline_as_the_very_first_line():
    # text a scraper already extracted starts with the headline; training sees such copies of its documents
    assert labels_of(BODY)[BODY[0]] == "content"


def test_motivating_example_keeps_headline_and_body_only():
    doc = [
        "Support The Kellbridge Courier!",
        "Mayor announces new bridge plan for Kellbridge",
        "The mayor spoke at the town hall on Monday. Dana Voss/Courier Wire/AP",
        "The mayor on Monday announced a plan to replace the old iron bridge over the Ouse with a wider crossing "
        "that carries buses, cyclists and pedestrians, at a cost of about £40m.",
        "The mayor spoke at the town hall on Monday.",
        "Work would begin in 2028 if the council approves the budget in its spring session, officials said.",
        "Opposition councillors said the cost was too high for a town of 60,000 people and asked for a cheaper "
        "repair of the existing bridge to be studied first.",
        "Before you go: we have a small favor to ask. Independent local journalism takes time and money, and we "
        "rely on readers to fund it. If you can, please support us monthly from just $2. Thank you.",
        "Not ready to support today?",
        "Remind me later.",
        "Read more",
    ]
    out = stripper.clean("\n".join(doc)).split("\n")
    assert out == [doc[1], doc[3], doc[4], doc[5], doc[6]]


def test_appeal_forms_are_removed():
    appeals = [
        "You have read 4 of your 5 free articles this month. Subscribe now for unlimited access.",
        "Sign up for the Morning Brief, our daily newsletter, and get the top stories in your inbox.",
        "It looks like you are using an ad blocker. Ads help fund our journalism; please whitelist us.",
        "Become a member of the Courier today: $5 a month, cancel anytime.",
    ]
    doc = NAV + BODY[:3] + appeals[:2] + BODY[3:] + appeals[2:]
    labels = labels_of(doc)
    assert all(labels[a] == "appeal" for a in appeals), {a: labels[a] for a in appeals}
    assert all(labels[b] == "content" for b in BODY[1:])


def test_headline_after_navigation_in_the_appeal_example():
    appeals = ["You have read 4 of your 5 free articles this month. Subscribe now for unlimited access.",
               "Sign up for the Morning Brief, our daily newsletter, and get the top stories in your inbox."]
    assert labels_of(NAV + BODY[:3] + appeals + BODY[3:])[BODY[0]] == "content"


def test_caption_forms_are_recognised():
    captions = [
        "Workers inspect the barrier gates on Thursday. (AP Photo/Lena Marsh)",
        "Sandbags stacked outside a shop on Water Lane in January. REUTERS/Carl Obi",
        "Photo: Getty Images",
    ]
    doc = NAV + BODY[:2] + captions[:1] + BODY[2:4] + captions[1:] + BODY[4:]
    labels = labels_of(doc)
    assert all(labels[c] == "caption" for c in captions), {c: labels[c] for c in captions}
    assert all(labels[b] == "content" for b in BODY)


def test_boilerplate_forms_are_removed():
    furniture = ["Home", "News", "By Tom Weller, Environment Correspondent", "Published 2 hours ago",
                 "Share this article", "Read more", "© 2026 Kellbridge Courier Ltd. All rights reserved."]
    doc = furniture[:4] + BODY + furniture[4:]
    labels = labels_of(doc)
    assert all(labels[f] == "boilerplate" for f in furniture), {f: labels[f] for f in furniture}


def test_hard_negatives_about_money_and_photos_stay_content():
    story = [
        "Hospice appeal passes its £2m target a month early",
        "St Brigid's Hospice has raised more than £2m in its building appeal, a month before the deadline, "
        "thanks to thousands of small donations from local families.",
        "The appeal's organiser, Ruth Kamara, said the most common gift was £10 a month, and that many donors "
        "had lost a relative in the hospice's care.",
        "\"Please keep giving if you can, because every pound now goes to the new garden wing,\" she said at a "
        "volunteers' event on Saturday.",
        "The hospice also thanked the photographer Ivo Lund, whose portraits of nurses were sold at auction and "
        "raised £40,000.",
        "The new wing is due to open next summer.",
    ]
    labels = labels_of(story)
    assert all(labels[s] == "content" for s in story), {s: labels[s] for s in story}


def test_non_english_documents():
    german = [
        "Stadtrat beschließt neue Radwege in der Altstadt",
        "Der Stadtrat hat am Dienstag mit knapper Mehrheit den Bau von drei neuen Radwegen in der Altstadt "
        "beschlossen. Die Arbeiten sollen im Frühjahr beginnen.",
        "Die Kosten von rund 2,4 Millionen Euro trägt zu großen Teilen das Land, sagte Bürgermeisterin Ute Brandl.",
        "Foto: Jens Albers/dpa",
        "Händler in der Mühlenstraße befürchten weniger Kundschaft, wenn Parkplätze wegfallen.",
        "Jetzt abonnieren: Lesen Sie alle Artikel für nur 9,99 Euro im Monat. Jederzeit kündbar.",
    ]
    labels = labels_of(german)
    assert labels[german[0]] == "content" and labels[german[1]] == "content" and labels[german[2]] == "content"
    assert labels[german[3]] == "caption"
    assert labels[german[5]] == "appeal"


def test_body_paragraph_after_a_credit_line():
    german = [
        "Stadtrat beschließt neue Radwege in der Altstadt",
        "Der Stadtrat hat am Dienstag mit knapper Mehrheit den Bau von drei neuen Radwegen in der Altstadt "
        "beschlossen. Die Arbeiten sollen im Frühjahr beginnen.",
        "Foto: Jens Albers/dpa",
        "Händler in der Mühlenstraße befürchten weniger Kundschaft, wenn Parkplätze wegfallen.",
        "Jetzt abonnieren: Lesen Sie alle Artikel für nur 9,99 Euro im Monat. Jederzeit kündbar.",
    ]
    assert labels_of(german)[german[3]] == "content"


def test_bundled_story_about_a_paid_newsletter_keeps_its_lead():
    import json
    from pathlib import Path

    shard = Path(__file__).resolve().parents[1] / "examples" / "gazette-shard.jsonl"
    record = next(r for r in map(json.loads, shard.read_text(encoding="utf-8").splitlines())
                  if r["id"] == "kpg-2025-0312")
    lead = next(line for line in record["text"].split("\n") if line.startswith("Kestrel Morning, a daily"))
    assert lead in stripper.clean(record["text"], format="text").split("\n")


def test_lead_of_a_story_about_a_paid_newsletter_stays_content():
    story = [
        "Harbour newsletter passes 3,000 paying readers in its second year",
        "Tideline Daily, an email newsletter started by three former Courier sub-editors, says it now has 3,000 "
        "paying readers at $5 a month.",
        "Its editor, Maeve Osei, said the newsletter covers its costs at about 2,500 readers and plans to add a "
        "weekend edition.",
        "Related stories",
    ]
    assert labels_of(story)[story[1]] == "content"
