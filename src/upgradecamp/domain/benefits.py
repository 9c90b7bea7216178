"""The benefits package (权益包) shown beside the calculator: its parts, in SPEC §3.4's order."""

from __future__ import annotations

BENEFIT_PARTS = ("bank_standard", "branch_special", "financial_partner", "nearby_merchant")
