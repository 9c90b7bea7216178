"""The check-in desk's client search index (a projection; see `projections/search.py`).

`client_search` is one row per client with the keys nearly every name has, each in an
indexed column (`domain.names.SearchEntry`): the name, the name from its second and from its
third character, the full pinyin, the initials and the short form (zhangxm) of the first
reading, and the mobile's last 4 digits. `client_search_keys` holds the rare other keys (other
readings of a polyphonic surname, ü spelt u, …), one row per (key, client), the key starting
with its kind letter (n, p, i); `extra` repeats them so a change of name removes exactly them.

Every kind of query is then a few range scans of indexes, `pinyin >= 'zhang' AND pinyin <
'zhanh'`, run as one statement. The text columns use the "C" collation on PostgreSQL so that
range order is code-point order, as on SQLite; on SQLite the key table has no rowid, so its
scan reads the client ids straight from the key's B-tree.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlmodel import Field, SQLModel

SearchText = String().with_variant(String(collation="C"), "postgresql")


class ClientSearchRow(SQLModel, table=True):
    __tablename__ = "client_search"
    client_id: str = Field(primary_key=True)
    name: str = Field(index=True, sa_type=SearchText)
    given: str = Field(index=True, sa_type=SearchText)
    tail: str = Field(index=True, sa_type=SearchText)
    pinyin: str = Field(index=True, sa_type=SearchText)
    initials: str = Field(index=True, sa_type=SearchText)
    short: str = Field(index=True, sa_type=SearchText)
    mobile_last4: str = Field(index=True)
    extra: str  # the client's rows in client_search_keys, separated by spaces


class SearchKeyRow(SQLModel, table=True):
    __tablename__ = "client_search_keys"
    __table_args__ = {"sqlite_with_rowid": False}
    key: str = Field(primary_key=True, sa_type=SearchText)
    client_id: str = Field(primary_key=True)
