#!/usr/bin/env python3
"""make_corpus.py — writes the seed corpora corpus_idx/ and corpus_csv/ (committed; rerun only to
change them). Input layouts are described at the top of fuzz_idx.c and fuzz_csv.c."""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def idx(typ, dims, payload):
    return struct.pack(">BBBB", 0, 0, typ, len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(b):
    return gzip.compress(b, mtime=0)


def with_labels(flags, images, labels):
    return bytes([flags | 1]) + struct.pack(">H", len(images)) + images + labels


def write(folder, name, data):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    with open(os.path.join(HERE, folder, name), "wb") as f:
        f.write(data)


u8 = idx(0x08, [3, 2, 2], bytes(range(12)))
lab = idx(0x08, [3], bytes([0, 1, 2]))
i16 = idx(0x0B, [2, 3], struct.pack(">6h", -3, 2, 1000, -1000, 0, 7))
f32 = idx(0x0D, [2, 2], struct.pack(">4f", 0.5, -1.5, 2.0, 3.25))
f64 = idx(0x0E, [1, 2, 1, 1][:3], struct.pack(">2d", 1.0, -2.0))
i32lab = idx(0x0C, [2], struct.pack(">2i", 1, 0))
i8 = idx(0x09, [2, 1], bytes([0x80, 0x7F]))
seeds = {
    "u8_pair": with_labels(0, u8, lab),
    "u8_pair_gz": with_labels(0, gz(u8), gz(lab)),
    "u8_pair_limit": with_labels(2, u8, lab),
    "u8_raw": bytes([8]) + u8,
    "u8_standard_gz": bytes([16]) + gz(u8),
    "i16": bytes([0]) + i16,
    "i16_gz_i32labels": with_labels(0, gz(i16), i32lab),
    "f32_pair": with_labels(0, f32, i32lab),
    "f64": bytes([0]) + f64,
    "i8": bytes([0]) + i8,
    "bad_magic": bytes([0]) + b"\x12\x34\x08\x01\x00\x00\x00\x01\x00",
    "billions": bytes([0]) + idx(0x08, [0x7FFFFFFF, 28, 28], b"\0" * 16),
    "billions_gz": bytes([0]) + gz(idx(0x08, [0x7FFFFFFF, 28, 28], b"\0" * 16)),
    "truncated_gz": bytes([0]) + gz(u8)[:20],
    # several gzip members (cat a.gz b.gz): split inside the header and inside the data
    "multi_member_gz": with_labels(0, gz(u8[:2]) + gz(u8[2:17]) + gz(u8[17:]), gz(lab[:9]) + gz(lab[9:])),
    "multi_member_gz_garbage": bytes([0]) + gz(u8[:9]) + gz(u8[9:]) + b"\0\0\0\0",
    "labels_as_images": bytes([0]) + lab,
    "count_mismatch": with_labels(0, u8, idx(0x08, [2], bytes([0, 1]))),
}
for name, data in seeds.items():
    write("corpus_idx", name, data)

csvs = {
    "header_last_label": (1, b"a,b,y\n1,2,0\n3.5,-4e2,1\n"),
    "crlf_no_final_newline": (1, b"a,b,y\r\n1,2,0\r\n3,4,1"),
    "semicolon_no_header": (0 | (1 << 1), b"1;2;3\n4;5;6\n"),
    "tab_no_label": (1 | (2 << 1) | (1 << 3), b"a\tb\n1\t2\n"),
    "label_first": (1 | (2 << 3), b"y,a\n2,0.5\n0,1.5\n"),
    "label_named_real": (1 | (3 << 3) | (1 << 5), b"a,y,b\n1,0.25,2\n3,0.75,4\n"),
    "quoted": (1, b'"a","b","y"\n"1","2","0"\n'),
    "blank_lines": (1, b"a,y\n\n1,0\n\r\n2,1\n"),
    "limit": (1 | (1 << 6), b"a,y\n1,0\n2,1\n3,0\n"),
    "bad_field": (1, b"a,y\n1,0\nx,1\n"),
    "empty_field": (1, b"a,b,y\n1,,0\n"),
    "ragged": (1, b"a,b,y\n1,2,0\n1,2\n"),
    "unterminated_quote": (1, b'a,y\n"1,0\n'),
    "multiline_quoted_header": (1, b'"a\nb",y\n1,0\n'),
    "bom_label_named": (1 | (3 << 3), b"\xef\xbb\xbfa,y,b\n1,0,2\n3,1,4\n"),
    "bom_only": (1, b"\xef\xbb\xbf"),
}
for name, (flags, body) in csvs.items():
    write("corpus_csv", name, bytes([flags]) + body)
