"""Errors that carry where in a file the problem is, with messages in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem: a path into the document (``loc``) and a message in Chinese."""

    loc: Loc
    message: str
    where: str = ""
    # a sum of points that disagrees: a consequence, not a cause, when rows are missing
    is_sum: bool = False

    def __str__(self) -> str:
        return f"{self.where}:{self.message}" if self.where else self.message


class FileInvalid(ValueError):
    """A framework or results file that cannot be accepted; nothing of it was used."""

    def __init__(self, issues: Sequence[Issue], *, source: str = "") -> None:
        self.issues = list(issues)
        self.source = source
        super().__init__(self.report())

    def located(self, locate: Callable[[Loc], str]) -> FileInvalid:
        """Return a copy whose issues say where they are (e.g. "第12行")."""
        issues = [replace(i, where=i.where or locate(i.loc)) for i in self.issues]
        return FileInvalid(issues, source=self.source)

    def report(self) -> str:
        head = f"{self.source} 有{len(self.issues)}处错误" if self.source else "文件有错误"
        return "\n".join([head + ",未导入任何内容:", *(f"  {i}" for i in self.issues)])


class ActionRefused(Exception):
    """What a person asked for is not allowed or not possible; the message, in Chinese, says why
    and is shown as is. Every app's refusal (``ProblemRefused``, ``DrawRefused`` …) subclasses
    it, so a view or middleware can handle any refusal one way."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else "操作未能完成"
