"""One implementation of Whoosh's W3 posting blocks: what it encodes, it decodes."""

from __future__ import annotations

from array import array

import pytest

from pressearchiv.index.engine.blocks import decode_blocks, encode_postings


@pytest.mark.parametrize("count", [1, 2, 127, 128, 129, 300])
@pytest.mark.parametrize("kind", ["ones", "same", "mixed"])
@pytest.mark.parametrize("fixed", [None, 0, 4])
@pytest.mark.parametrize("compression", [0, 1])
def test_blocks_decode_to_what_was_encoded(
    count: int, kind: str, fixed: int | None, compression: int
) -> None:
    docs = array("I", range(3, 3 + 7 * count, 7))
    weights = array("f", {"ones": [1.0], "same": [2.5]}.get(kind, [0.5]) * count)
    if kind == "mixed":
        weights = array("f", [1.0 + (i % 3) for i in range(count)])
    values = [b"" if fixed == 0 else i.to_bytes(4, "big") for i in range(count)]
    raw, maxweight = encode_postings(docs, weights, values, fixed, compression, 128)
    blocks = list(decode_blocks(raw))
    assert len(blocks) == -(-count // 128)
    assert [d for b in blocks for d in b.ids] == docs.tolist()
    assert [w for b in blocks for w in b.weights_list()] == weights.tolist()
    assert [v for b in blocks for v in b.values_list()] == values
    assert maxweight == max(weights)


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(ValueError, match="wrong block header"):
        list(decode_blocks(b"XXXX" + bytes(20)))
