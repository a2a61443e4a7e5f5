"""Makes LsLab's embedded default: a seeded, class-balanced subset of Fashion-MNIST.

    python3 tools/make_embedded_subset.py /usr/share/datasets/fashion-mnist src/LsLab/Data/Embedded

Input: the four IDX files of Debian's dataset-fashion-mnist (or upstream). Output: the same four
file names, gzipped IDX, with 1,000 train and 200 test images per class (10,000 / 2,000), chosen
by a seeded shuffle (seed 20191) and kept in their original order. Standard library only.
"""
import gzip, os, random, struct, sys

src, dst = sys.argv[1], sys.argv[2]
PER_CLASS = {"train": 1000, "t10k": 200}

def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

def find(part, kind):
    for name in (f"{part}-{kind}", f"{part}-{kind}.gz"):
        if os.path.exists(os.path.join(src, name)):
            return os.path.join(src, name)
    raise SystemExit(f"missing {part}-{kind}[.gz] in {src}")

os.makedirs(dst, exist_ok=True)
for part, per_class in PER_CLASS.items():
    img = read(find(part, "images-idx3-ubyte"))
    lbl = read(find(part, "labels-idx1-ubyte"))
    n, rows, cols = struct.unpack(">III", img[4:16])
    labels = lbl[8:8 + n]
    rng = random.Random(20191)
    order = list(range(n))
    rng.shuffle(order)
    chosen, counts = [], [0] * 10
    for i in order:
        if counts[labels[i]] < per_class:
            counts[labels[i]] += 1
            chosen.append(i)
    chosen.sort()
    size = rows * cols
    pixels = b"".join(img[16 + i * size:16 + (i + 1) * size] for i in chosen)
    out_img = struct.pack(">IIII", 0x803, len(chosen), rows, cols) + pixels
    out_lbl = struct.pack(">II", 0x801, len(chosen)) + bytes(labels[i] for i in chosen)
    for name, blob in ((f"{part}-images-idx3-ubyte.gz", out_img), (f"{part}-labels-idx1-ubyte.gz", out_lbl)):
        with gzip.GzipFile(os.path.join(dst, name), "wb", compresslevel=9, mtime=0) as f:
            f.write(blob)
    print(part, len(chosen), "images; first labels", list(labels[i] for i in chosen[:10]))
