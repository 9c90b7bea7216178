"""Canonical JSON: the exact text of a payload or meta that the log's hash chain covers.

Sorted keys, no spaces, non-ASCII kept, through orjson where its bytes are the standard
encoder's and the standard encoder elsewhere. Apart from `eventlog.py` because the bytes are a
contract of their own: the chain of every existing database depends on them, the projections'
checkpoints and the cluster digest hash them too, and `tests/store/test_canonical_json.py`
pins them against the standard encoder without any log.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Built once: json.dumps would build a new encoder on every call of the append hot path.
_canonical_encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_orjson_dumps = orjson.dumps
_SORTED = orjson.OPT_SORT_KEYS
_PLAIN = frozenset({str, int, bool, type(None)})


_NESTED = frozenset({dict, list})
_PLAIN_OR_NESTED = _PLAIN | _NESTED


def _plain(value: Any) -> bool:
    """Only str, int, bool, None, list and dict values: there orjson writes the very bytes the
    standard encoder writes (floats it spells differently, e.g. 1e-6). A key that is not a str
    makes orjson raise, and `canonical` then takes the standard way.

    The types of a container's values are checked as one set: an event payload is mostly flat,
    and a call per value cost the append more than the encoding did."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _PLAIN
    kinds = set(map(type, items))
    if kinds <= _PLAIN:
        return True
    if not kinds <= _PLAIN_OR_NESTED:
        return False
    return all(_plain(v) for v in items if type(v) in _NESTED)


def canonical(value: Any) -> str:
    """Stable JSON text: the bytes the hash covers must not depend on dict order.

    Through orjson where its bytes are the standard encoder's (tests/store compare the two),
    else the standard encoder: the hash chain covers these exact bytes, old and new.
    """
    if _plain(value):
        try:
            return _orjson_dumps(value, option=_SORTED).decode()
        except TypeError:  # an int beyond 64 bits, a lone surrogate: the standard way
            pass
    return _canonical_encoder.encode(value)
