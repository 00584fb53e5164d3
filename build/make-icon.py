#!/usr/bin/env python3
"""Draws build/icon.png (512x512): a dark rounded tile with a timeline of
writes, stdout bars above the axis and stderr bars below. Standard library
only, so the icon can be remade anywhere: python3 build/make-icon.py"""
import struct
import zlib
from pathlib import Path

SIZE = 512
RADIUS = 96
BACKGROUND = (24, 28, 38, 255)
AXIS = (90, 98, 120, 255)
STDOUT = (92, 200, 140, 255)
STDERR = (240, 120, 96, 255)
# (x, height) of each write; bursts, as a block-buffered writer makes them.
OUT_BARS = [(88, 60), (120, 150), (152, 150), (184, 150), (280, 40), (312, 170), (344, 170)]
ERR_BARS = [(216, 70), (248, 40), (408, 90)]
BAR = 22
MID = 280


def inside_tile(x, y):
    cx = min(max(x, RADIUS), SIZE - 1 - RADIUS)
    cy = min(max(y, RADIUS), SIZE - 1 - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2


def colour(x, y):
    if not inside_tile(x, y):
        return (0, 0, 0, 0)
    for bx, h in OUT_BARS:
        if bx <= x < bx + BAR and MID - 6 - h <= y < MID - 6:
            return STDOUT
    for bx, h in ERR_BARS:
        if bx <= x < bx + BAR and MID + 6 <= y < MID + 6 + h:
            return STDERR
    if 64 <= x < SIZE - 64 and MID - 2 <= y < MID + 2:
        return AXIS
    return BACKGROUND


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def main():
    rows = b"".join(
        b"\0" + b"".join(bytes(colour(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 9))
    png += chunk(b"IEND", b"")
    Path(__file__).with_name("icon.png").write_bytes(png)


if __name__ == "__main__":
    main()
