"""Near-duplicates: the same wire story on two sites (different first and last lines) is found; different
stories about the same place are not; a trimmed copy is a duplicate, the fuller story is not."""
from __future__ import annotations

import threading

import pytest

from retrieval.web.dedup import CONTAINMENT, NearDuplicates, Signature, containment, signature
from retrieval.web.extract import extract_article
from tests.fakeweb import pages
from tests.fakeweb.stories import (KHARKIV_GLIDE_BOMBS, KUPIANSK_V1, KUPIANSK_V2, POKROVSK_MINE, TORETSK_PHARMACY,
                                   TORETSK_SPOIL_HEAPS, WIRE_ON_A, WIRE_ON_B, Story)

DIFFERENT = [KHARKIV_GLIDE_BOMBS, TORETSK_SPOIL_HEAPS, WIRE_ON_A, POKROVSK_MINE, TORETSK_PHARMACY, KUPIANSK_V1]


def _extracted(story: Story, style: str) -> str:
    base = "http://127.0.0.1:9"
    html = pages.ledger_article(story, base) if style == "ledger" else pages.courier_article(story, base)
    return extract_article(html, f"{base}/{story.slug}").text


def test_the_wire_story_on_two_hosts_is_one_story_in_either_order():
    on_a, on_b = signature(_extracted(WIRE_ON_A, "ledger")), signature(_extracted(WIRE_ON_B, "courier"))
    for first, second in ((on_a, on_b), (on_b, on_a)):
        index = NearDuplicates()
        index.add("first", first)
        match = index.find(second)
        assert match is not None and match.key == "first" and match.containment >= CONTAINMENT


@pytest.mark.parametrize("story", DIFFERENT[:2] + DIFFERENT[3:], ids=lambda s: s.slug)
def test_different_stories_are_not_duplicates_even_about_the_same_place(story):
    index = NearDuplicates()
    for other in DIFFERENT:
        if other is not story:
            index.add(other.slug, signature(_extracted(other, "ledger")))
    sig = signature(_extracted(story, "courier"))
    assert index.find(sig) is None
    assert max(containment(sig, index._signatures[k])[0] for k in index._signatures) < 0.1


def test_same_place_pairs_share_almost_no_five_word_runs():
    pairs = [(WIRE_ON_A, POKROVSK_MINE), (TORETSK_SPOIL_HEAPS, TORETSK_PHARMACY), (KHARKIV_GLIDE_BOMBS, KUPIANSK_V1)]
    for a, b in pairs:
        share, jaccard = containment(signature("\n\n".join(a.paragraphs)), signature("\n\n".join(b.paragraphs)))
        assert share < 0.1 and jaccard < 0.05


def test_a_trimmed_copy_is_a_duplicate_but_the_fuller_story_is_not_a_duplicate_of_it():
    full, trimmed = WIRE_ON_A.paragraphs, WIRE_ON_A.paragraphs[:3]
    index = NearDuplicates()
    index.add("full", signature("\n\n".join(full)))
    assert index.find(signature("\n\n".join(trimmed))).key == "full"
    index = NearDuplicates()
    index.add("trimmed", signature("\n\n".join(trimmed)))
    assert index.find(signature("\n\n".join(full))) is None


def test_a_changed_page_is_not_a_duplicate_of_its_older_self():
    # the page lost its last paragraph: nearly all of the new text is in the old one
    index = NearDuplicates()
    index.add("kupiansk", signature("\n\n".join(KUPIANSK_V2.paragraphs)))
    newer = signature("\n\n".join(KUPIANSK_V1.paragraphs))
    assert index.find(newer, exclude="kupiansk") is None
    assert index.find(newer).key == "kupiansk"       # without `exclude` it would be


def test_signatures_survive_bytes_and_replacing_or_removing_works():
    sig = signature("\n\n".join(WIRE_ON_A.paragraphs))
    blob = sig.to_bytes()
    assert isinstance(blob, bytes) and len(blob) < 600
    back = Signature.from_bytes(blob)
    assert back.shingles == sig.shingles and back.minhash.jaccard(sig.minhash) == 1.0
    index = NearDuplicates()
    index.add("a", back)
    index.add("a", signature("\n\n".join(POKROVSK_MINE.paragraphs)))    # replaced
    assert len(index) == 1 and index.find(sig) is None
    index.remove("a")
    assert "a" not in index and index.find(signature("\n\n".join(POKROVSK_MINE.paragraphs))) is None


def test_case_quotes_and_spacing_do_not_hide_a_copy():
    original = "\n\n".join(WIRE_ON_A.paragraphs)
    retyped = original.upper().replace("–", "-").replace("\n\n", " ").replace(",", " ,")
    share, _ = containment(signature(retyped), signature(original))
    assert share >= CONTAINMENT


def test_empty_text_matches_nothing_and_the_index_is_thread_safe():
    index = NearDuplicates()
    assert index.find(signature("")) is None
    sigs = {s.slug: signature("\n\n".join(s.paragraphs)) for s in DIFFERENT}
    threads = [threading.Thread(target=index.add, args=(k, v)) for k, v in sigs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(index) == len(DIFFERENT)
    assert all(index.find(v).key == k for k, v in sigs.items())
