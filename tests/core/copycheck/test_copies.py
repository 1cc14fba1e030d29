"""Copied report texts are found; a report in the unit's own words is not."""

from __future__ import annotations

from wenming.core.copycheck import Source, compare, fingerprint
from wenming.core.copycheck.index import MemoryIndex
from wenming.core.copycheck.normalise import normalise
from wenming.core.copycheck.phrases import PhraseMatcher, phrases_from_lines

from .texts import OWN_WORDS, TEMPLATES, half_width, lightly_edited, traditional


def _sources() -> list[Source]:
    out = []
    for name, text in TEMPLATES.items():
        fp = fingerprint(text)
        out.append(Source(name, fp.hashes, fp.positions))
    return out


def _check(text: str):
    return compare(fingerprint(text), _sources())


def test_normalising_folds_script_width_punctuation_and_figures():
    a = normalise("我單位２０２５年共開展活動１２次，參加ＡＢＣ。")
    b = normalise("我单位2024年共开展活动3次,参加abc.")
    assert a.chars == b.chars == "我单位0年共开展活动0次参加abc"
    assert a.offsets[0] == 0 and a.offsets[3] == 3  # "2025" starts at offset 3


def test_a_verbatim_copy_is_copied_from_its_template():
    result = _check(TEMPLATES["自查报告范文"])
    assert result.rate > 0.9
    assert result.sources[0][0] == "自查报告范文"
    assert all(p.copied for p in result.paragraphs if p.chars > 40)


def test_a_copy_of_parts_of_two_templates_names_both_by_paragraph():
    self_check = TEMPLATES["自查报告范文"].splitlines()
    briefing = TEMPLATES["汇报材料范文"].splitlines()
    own = OWN_WORDS.splitlines()
    text = "\n".join([own[0], self_check[7], own[3], briefing[4], own[5]])
    result = _check(text)
    flagged = {p.index: p.sources[0][0] for p in result.paragraphs if p.copied}
    assert flagged == {2: "自查报告范文", 4: "汇报材料范文"}
    assert 0.3 < result.rate < 0.75
    assert {name for name, _ in result.sources} == {"自查报告范文", "汇报材料范文"}


def test_a_traditional_script_copy_is_found():
    result = _check(traditional(TEMPLATES["汇报材料范文"]))
    assert result.rate > 0.9
    assert result.sources[0][0] == "汇报材料范文"


def test_a_simplified_copy_of_a_traditional_source_is_found():
    fp = fingerprint(traditional(TEMPLATES["工作总结范文"]))
    result = compare(
        fingerprint(TEMPLATES["工作总结范文"]), [Source("繁体", fp.hashes, fp.positions)]
    )
    assert result.rate > 0.9


def test_half_width_punctuation_does_not_hide_a_copy():
    assert _check(half_width(TEMPLATES["工作总结范文"])).rate > 0.9


def test_a_lightly_edited_copy_is_still_found_paragraph_by_paragraph():
    edited = lightly_edited(TEMPLATES["自查报告范文"])
    assert edited != TEMPLATES["自查报告范文"]
    result = _check(edited)
    assert result.rate > 0.8
    long_paragraphs = [p for p in result.paragraphs if p.chars > 60]
    assert long_paragraphs and all(p.copied for p in long_paragraphs)


def test_own_words_sharing_only_stock_phrases_score_under_five_percent():
    result = _check(OWN_WORDS)
    assert result.rate < 0.05
    assert not any(p.copied for p in result.paragraphs)


def test_without_the_stock_list_the_same_report_would_share_phrases():
    empty = PhraseMatcher([])
    sources = [
        Source(name, (fp := fingerprint(text, phrases=empty)).hashes, fp.positions)
        for name, text in TEMPLATES.items()
    ]
    result = compare(fingerprint(OWN_WORDS, phrases=empty), sources)
    assert result.copied_chars > 0  # the guiding-thought formula is shared verbatim


def test_a_phrase_list_line_with_a_gap_stands_for_both_sides():
    phrases = phrases_from_lines(["以…为指导  # comment", "# only a comment", "习近平新時代"])
    assert phrases == ["习近平新时代"]  # 以 and 为指导 are too short to be phrases alone


def test_templates_do_not_copy_each_other():
    texts = list(TEMPLATES.items())
    for name, text in texts:
        others = [
            Source(n, (fp := fingerprint(t)).hashes, fp.positions) for n, t in texts if n != name
        ]
        assert compare(fingerprint(text), others).rate < 0.05


def test_paragraphs_are_numbered_on_non_empty_lines():
    result = _check("第一段，自己写的内容。\n\n\n" + TEMPLATES["工作总结范文"].splitlines()[2])
    assert [p.index for p in result.paragraphs] == [1, 2]
    assert result.paragraphs[1].copied and not result.paragraphs[0].copied


def test_the_json_shape_of_a_check():
    result = _check(TEMPLATES["工作总结范文"] + "\n共编发简报期。")
    data = result.as_json({"工作总结范文": "范文三"})
    assert set(data) == {"chars", "copied_chars", "rate", "paragraphs", "placeholders"}
    first = data["paragraphs"][1]
    assert set(first) == {"index", "chars", "copied_chars", "copied", "sources"}
    assert first["sources"][0]["name"] == "范文三"
    assert data["placeholders"][-1]["kind"] == "missing_number"
    assert 0 <= data["rate"] <= 1


def test_spans_map_back_to_both_texts():
    copied = TEMPLATES["汇报材料范文"].splitlines()[4]
    text = "我们自己的开头一句话。\n" + copied
    query = fingerprint(text)
    source_fp = fingerprint(TEMPLATES["汇报材料范文"])
    result = compare(query, [Source("汇报", source_fp.hashes, source_fp.positions)])
    span = result.spans[0]
    a, b = query.text_span(span.start, span.end)
    sa, sb = source_fp.text_span(span.source_start, span.source_end)
    assert text[a:b][:12] == TEMPLATES["汇报材料范文"][sa:sb][:12]


def test_the_index_finds_the_template_among_many_documents():
    index = MemoryIndex()
    for name, text in TEMPLATES.items():
        index.add_fingerprinted(name, fingerprint(text))
    fillers = [traditional(line) for line in TEMPLATES["工作总结范文"].splitlines()[1:]]
    for i, line in enumerate(fillers):
        index.add_fingerprinted(f"filler-{i}", fingerprint(line))
    index.freeze()
    result = index.check(fingerprint(lightly_edited(TEMPLATES["汇报材料范文"])))
    assert result.sources[0][0] == "汇报材料范文" and result.rate > 0.8
    assert index.check(fingerprint(OWN_WORDS)).rate < 0.05
    assert index.size().documents == 3 + len(fillers)


def test_hashes_in_most_of_the_library_are_left_out():
    index = MemoryIndex()
    shared = TEMPLATES["工作总结范文"].splitlines()[3]
    for i in range(10):
        index.add_fingerprinted(f"d{i}", fingerprint(f"第{i}份材料。\n{shared}"))
    assert index.check(fingerprint(shared)).copied_chars == 0  # everyone writes it
