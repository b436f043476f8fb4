#!/usr/bin/env python3
"""Counts the pixels of a PNG near given colours, for plot_test.

Usage: render_check.py IMAGE.png RRGGBB [RRGGBB ...]

Prints `size WIDTH HEIGHT`, then `RRGGBB COUNT` for each colour: the pixels
whose every channel is within TOLERANCE of it, after compositing over white.
Only the standard library is used: 8-bit, non-interlaced greyscale, RGB,
grey+alpha and RGBA images (what rsvg-convert writes) are decoded.
"""

import collections
import struct
import sys
import zlib

TOLERANCE = 24


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    width = height = depth = colour_type = interlace = None
    idat = bytearray()
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(
                ">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError("unsupported PNG: depth %s colour type %s interlace %s"
                         % (depth, colour_type, interlace))
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    rows = []
    previous = bytearray(stride)
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else (
                    up if pb <= pc else up_left)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        previous = line
    pixels = collections.Counter()
    for line in rows:
        if channels == 4:
            pixels.update(zip(line[0::4], line[1::4], line[2::4], line[3::4]))
        elif channels == 3:
            pixels.update((r, g, b, 255) for r, g, b in
                          zip(line[0::3], line[1::3], line[2::3]))
        elif channels == 2:
            pixels.update((v, v, v, a) for v, a in zip(line[0::2], line[1::2]))
        else:
            pixels.update((v, v, v, 255) for v in line)
    # Composited over white.
    composited = collections.Counter()
    for (r, g, b, a), n in pixels.items():
        composited[tuple((c * a + 255 * (255 - a)) // 255
                         for c in (r, g, b))] += n
    return width, height, composited


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    width, height, pixels = read_png(argv[1])
    print("size %d %d" % (width, height))
    for hex_colour in argv[2:]:
        want = tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
        count = sum(n for p, n in pixels.items()
                    if all(abs(a - b) <= TOLERANCE for a, b in zip(p, want)))
        print("%s %d" % (hex_colour, count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
