"""`spec.budget`: a monthly budget that the desired-size estimate must stay within."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shipyard.blueprint.errors import Finding
from shipyard.sections.budget.checks import check_budget
from shipyard.sections.section import Section

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform


class BudgetSection(Section):
    name = "budget"
    key = "budget"

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_budget(platform)


SECTION = BudgetSection()
