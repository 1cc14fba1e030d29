"""What a phone may send to the synchronisation endpoint (validated before anything is read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_ENTRIES = 500  # one batch; the phone sends the rest with the next
TEXT = 2_000


class SyncEntry(BaseModel):
    """One item's entry as kept on the phone; the service checks its meaning."""

    model_config = ConfigDict(extra="ignore")

    client_id: str = Field(default="", max_length=64)
    assignment: int | str | None = Field(default=None, union_mode="left_to_right")
    code: str = Field(default="", max_length=64)
    value: str | int | float | None = Field(default="", union_mode="left_to_right")
    reason: str | None = Field(default="", max_length=TEXT)
    note: str | None = Field(default="", max_length=TEXT)
    entered_at: str | None = Field(default=None, max_length=64)
    # a findings or awards item: the count of each kind (or level) by name; the service checks
    # the names and numbers (one wrong count refuses that entry only, in Chinese)
    counts: dict[str, int | str | None] | None = Field(default=None, max_length=20)
    na: bool = False  # entered as 不适用 (where the item allows it)


class SyncBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entries: list[SyncEntry] = Field(max_length=MAX_ENTRIES)
