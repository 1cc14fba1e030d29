"""Coverage-guided fuzzing of the YAML and .xlsx framework loaders with atheris.

    .venv/bin/python -m tests.fuzz.atheris_harness yaml -runs=2000 [corpus folder]
    .venv/bin/python -m tests.fuzz.atheris_harness xlsx -max_total_time=600 [corpus folder]

Any input must give a framework or a FileInvalid whose every message is Chinese; anything else
(an exception, a message in English) stops the run with the input saved as crash-*.
Django-free: only wenming.core is loaded (and instrumented).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["wenming.core"]):
    from wenming.core.errors import FileInvalid
    from wenming.core.formats import framework_from_bytes

from tests.fuzz.strategies import is_chinese

SUFFIX = {"yaml": "框架.yaml", "xlsx": "框架.xlsx"}


def one_input(filename: str) -> Callable[[bytes], None]:
    def test(data: bytes) -> None:
        try:
            framework_from_bytes(data, filename=filename)
        except FileInvalid as exc:
            for issue in exc.issues:
                if not is_chinese(issue.message):
                    raise AssertionError(f"refusal not in Chinese: {issue.message!r}") from None

    return test


def main(argv: list[str]) -> None:
    kind = argv[1]
    atheris.Setup([argv[0], *argv[2:]], one_input(SUFFIX[kind]))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
