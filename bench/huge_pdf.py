#!/usr/bin/env python3
"""Writes a PDF of PAGES pages, each drawing one image of SIZE_MIB MiB (incompressible bytes
marked as DCT data, as a scanned report's are) and a line of text: the "huge PDF" of
bench/share.sh.

    python3 bench/huge_pdf.py SIZE_MIB PAGES OUT.pdf
"""
import os
import sys


def main():
    size = int(sys.argv[1]) << 20
    pages = int(sys.argv[2])
    out = sys.argv[3]
    objects = {}
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{10 + 2 * n} 0 R" for n in range(pages))
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    with open(out, "wb") as f:
        offsets = {}
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def write(number, body, data=None):
            offsets[number] = f.tell()
            f.write(f"{number} 0 obj\n".encode())
            f.write(body)
            if data is not None:
                f.write(b"\nstream\n")
                f.write(data)
                f.write(b"\nendstream")
            f.write(b"\nendobj\n")

        for number in (1, 2, 3):
            write(number, objects[number])
        # The image's data, written in pieces so that this script stays small too.
        offsets[4] = f.tell()
        f.write(
            f"4 0 obj\n<< /Type /XObject /Subtype /Image /Width 1024 /Height 1024 "
            f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {size} >>\nstream\n".encode()
        )
        left = size
        while left:
            piece = min(left, 1 << 20)
            f.write(os.urandom(piece))
            left -= piece
        f.write(b"\nendstream\nendobj\n")
        for n in range(pages):
            content = (
                f"q 400 0 0 400 100 300 cm /Im1 Do Q\n"
                f"BT /F1 12 Tf 1 0 0 1 40 200 Tm (Scanned page {n + 1}) Tj ET\n"
            ).encode()
            write(10 + 2 * n + 1, f"<< /Length {len(content)} >>".encode(), content)
            write(
                10 + 2 * n,
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {10 + 2 * n + 1} 0 R "
                f"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>".encode(),
            )
        size_entries = max(offsets) + 1
        start = f.tell()
        f.write(f"xref\n0 {size_entries}\n0000000000 65535 f \n".encode())
        for number in range(1, size_entries):
            if number in offsets:
                f.write(f"{offsets[number]:010} 00000 n \n".encode())
            else:
                f.write(b"0000000000 00000 f \n")
        f.write(f"trailer\n<< /Size {size_entries} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode())


if __name__ == "__main__":
    main()
