"""Who is told about an application's steps.

``unit_admins`` lives in ``wenming.accounts.selectors`` (titles need it too and sit below
campaigns); it is re-exported here for ``campaigns.services`` until issue 15's split of that
module imports it from accounts directly.
"""

from __future__ import annotations

from wenming.accounts.selectors import unit_admins

__all__ = ["unit_admins"]
