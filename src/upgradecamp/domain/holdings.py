"""A holdings file (持仓，到期日) checked row by row, with the client file's rules. Pure.

Columns: `client_id` 客户号, `product` 产品 (a product code or its Chinese name), `amount` 金额,
`maturity` 到期日 (YYYY-MM-DD). A bad row is reported by its line and nothing is imported,
unless the good rows alone are asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from upgradecamp.domain.client_cells import normalise, parse_aum, parse_date
from upgradecamp.domain.client_import import header_key

COLUMNS: dict[str, tuple[str, ...]] = {
    "client_id": ("client_id", "客户号", "客户编号"),
    "product": ("product", "产品", "产品名称", "产品代码"),
    "amount": ("amount", "金额", "持仓金额"),
    "maturity": ("maturity", "到期日", "到期日期"),
}
HEADER_FIELDS = {header_key(h): name for name, hs in COLUMNS.items() for h in hs}


def product_codes(products: Mapping[str, str]) -> dict[str, str]:
    """Code and Chinese name (as compared) → code, from {code: name_zh}."""
    out = {header_key(code): code for code in products}
    out.update({header_key(name): code for code, name in products.items()})
    return out


def check_holding(
    raw: Mapping[str, Any], products: Mapping[str, str], clients: Iterable[str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(the clean row, or None) and the row's problems, each {line, column, reason}."""
    line = int(raw["line"])
    problems: list[dict[str, Any]] = []

    def bad(column: str, reason: str) -> None:
        problems.append({"line": line, "column": column, "reason": reason})

    client_id = normalise(raw.get("client_id"))
    if not client_id:
        bad("client_id", "the client number is empty")
    elif client_id not in clients:
        bad("client_id", f"no client {client_id} in the register; import the client first")
    product_text = normalise(raw.get("product"))
    product = product_codes(products).get(header_key(product_text)) if product_text else None
    if product is None:
        bad("product", f"'{product_text}' is not a product of the rules (code or 中文名)")
    amount, why = parse_aum(normalise(raw.get("amount")))
    if amount is None or amount <= 0:
        bad(
            "amount",
            "the amount must be a number of CNY above 0"
            if why is None or amount is not None
            else "the amount is not a number of CNY",
        )
    maturity, why = parse_date(normalise(raw.get("maturity")))
    if maturity is None:
        bad("maturity", "the maturity date is not YYYY-MM-DD")
    if problems or maturity is None:
        return None, problems
    return {
        "line": line,
        "client_id": client_id,
        "product": product,
        "amount": f"{amount:.2f}",
        "maturity": maturity.isoformat(),
    }, []
