"""orjson writes the log's JSON only where its bytes are those of the standard encoder: the
hash chain covers them, so a database written before must verify after."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgradecamp.store.canonical import canonical
from upgradecamp.store.eventlog import row_hash

STANDARD = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
ROW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
text = st.text(st.characters(blacklist_categories=("Cs",)))
scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | text | st.floats(allow_nan=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500)
@given(st.dictionaries(text, values, max_size=8))
def test_canonical_is_the_standard_encoders_bytes(payload):
    assert canonical(payload) == STANDARD.encode(payload)


@settings(max_examples=300)
@given(text, st.integers(0, 2**62), text, text)
def test_the_row_hash_covers_the_standard_encoders_bytes(stream, position, payload, meta):
    import hashlib

    row = ["0" * 64, position, stream, 1, "T", 1, payload, meta, "2026-11-20T02:00:00+00:00"]
    expected = hashlib.sha256(ROW.encode(row).encode()).hexdigest()
    assert row_hash(*row) == expected


@settings(max_examples=200)
@given(st.dictionaries(st.integers(-(2**40), 2**40), values, max_size=5))
def test_keys_that_are_not_text_take_the_standard_way(payload):
    assert canonical(payload) == STANDARD.encode(payload)
    assert canonical({"nested": [payload]}) == STANDARD.encode({"nested": [payload]})


@settings(max_examples=100)
@given(st.integers(2**63, 2**70))
def test_an_int_beyond_64_bits_in_a_row_takes_the_standard_way(big):
    import hashlib

    row = ["0" * 64, big, "s", 1, "T", 1, "{}", "{}", "2026-11-20T02:00:00+00:00"]
    assert row_hash(*row) == hashlib.sha256(ROW.encode(row).encode()).hexdigest()


def test_a_lone_surrogate_in_a_row_is_refused_as_before():
    row = ["0" * 64, 1, "s\ud800", 1, "T", 1, "{}", "{}", "2026-11-20T02:00:00+00:00"]
    with pytest.raises(UnicodeEncodeError):
        ROW.encode(row).encode()
    with pytest.raises(UnicodeEncodeError):
        row_hash(*row)


@settings(max_examples=100)
@given(st.binary(min_size=1, max_size=100), text, text)
def test_the_keyed_row_hash_is_hmac_sha256_of_the_standard_bytes(key, payload, meta):
    import hmac

    row = ["0" * 64, 7, "s", 1, "T", 1, payload, meta, "2026-11-20T02:00:00+00:00"]
    expected = hmac.digest(key, ROW.encode(row).encode(), "sha256").hex()
    assert row_hash(*row, key=key) == expected
    assert row_hash(*row, key=key) == expected  # the cached HMAC is copied, never consumed
