"""Material review (材料审查), Django-free: copied text and unfilled placeholders.

- ``normalise``: the characters compared (Simplified script, NFKC widths, no punctuation or
  spaces, a run of digits as one character), each mapped back to its offset in the text.
- ``winnow``: k-gram hashes (xxhash) and winnowing (Schleimer, Wilkerson, Aiken 2003, as Moss
  does); stock phrases (``phrases``) are taken out before anything is compared.
- ``compare``: a text against fingerprinted sources → copied characters per source, paragraph
  by paragraph, with the matched spans on both sides.
- ``index``: an in-memory inverted index (hash → document) for many sources at once.
- ``placeholders``: unfilled template gaps (××名, 20*年, “”, 每年编发报表份 …) with kind and
  position — the one placeholder finder of the product.
"""

from __future__ import annotations

from wenming.core.copycheck.compare import CheckResult, Source, compare, paragraphs_of
from wenming.core.copycheck.placeholders import Placeholder, placeholders_in
from wenming.core.copycheck.winnow import Fingerprinted, fingerprint

__all__ = [
    "CheckResult",
    "Fingerprinted",
    "Placeholder",
    "Source",
    "compare",
    "fingerprint",
    "paragraphs_of",
    "placeholders_in",
]
