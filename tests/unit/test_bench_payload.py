import pytest

from streamcompare.bench.payload import HEADER_BYTES, KeyGenerator, PayloadCodec, decode, decode_header

pytestmark = pytest.mark.unit


def test_payload_carries_intended_time_producer_and_sequence_at_the_exact_size():
    codec = PayloadCodec(1024, run_tag=0xABCDEF, seed=1)
    value = codec.encode(123_456_789_012, producer=3, seq=2**40 + 5)
    assert len(value) == 1024
    assert decode(value) == 123_456_789_012
    h = codec.header(value)
    assert (h.intended_ns, h.producer, h.seq, h.run_tag) == (123_456_789_012, 3, 2**40 + 5, 0xABCDEF)
    assert h.record_id == (3 << 48) | (2**40 + 5)
    assert decode_header(value) == h


def test_minimum_size_is_the_header_and_other_runs_are_recognised():
    assert HEADER_BYTES == 24
    assert len(PayloadCodec(24, run_tag=1).encode(0, 0, 0)) == 24
    with pytest.raises(ValueError, match="24"):
        PayloadCodec(23, run_tag=1)
    other = PayloadCodec(64, run_tag=2).encode(5, 0, 0)
    assert PayloadCodec(64, run_tag=1).header(other) is None
    assert PayloadCodec(64, run_tag=1).header(b"tiny") is None


def test_padding_is_incompressible():
    import zlib

    value = PayloadCodec(4096, run_tag=1).encode(0, 0, 0)
    assert len(zlib.compress(value)) > 4000


def test_out_of_range_identifiers_are_refused():
    codec = PayloadCodec(32, run_tag=1)
    with pytest.raises(ValueError):
        codec.encode(0, producer=1 << 16, seq=0)
    with pytest.raises(ValueError):
        codec.encode(0, producer=0, seq=1 << 48)


def test_key_distributions():
    rr = KeyGenerator("round-robin", 3)
    assert [rr.next() for _ in range(4)] == [b"key-0", b"key-1", b"key-2", b"key-0"]
    assert KeyGenerator("none", 3).next() == b""
    rnd = KeyGenerator("random", 3, seed=5)
    keys = {rnd.next() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 16 for k in keys)
    assert KeyGenerator("random", 3, seed=5).next() == KeyGenerator("random", 3, seed=5).next()
