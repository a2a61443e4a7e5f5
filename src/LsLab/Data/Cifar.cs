namespace LsLab.Data;

/// <summary>
/// CIFAR-10 / CIFAR-100 binary format: per record, the label byte(s) then 3072 pixel bytes
/// (1024 red, 1024 green, 1024 blue, row-major 32×32). CIFAR-100 records carry a coarse and a fine
/// label; LsLab uses the fine one.
/// </summary>
public static class Cifar
{
    const int Pixels = 3 * 32 * 32;

    /// <summary>Reads and concatenates one or more batch files.</summary>
    public static (byte[] Pixels, byte[] Labels) Read(IEnumerable<string> files, bool cifar100)
    {
        int labelBytes = cifar100 ? 2 : 1, record = labelBytes + Pixels, classes = cifar100 ? 100 : 10;
        var paths = files.ToArray();
        long total = 0;
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) throw new LsLabException($"{path}: a folder, expected a CIFAR-{classes} binary file.");
            if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
            long size = new FileInfo(path).Length;
            if (size == 0 || size % record != 0)
                throw new LsLabException($"{path}: truncated or not a CIFAR-{classes} binary file: size {size} bytes is not a multiple of the {record}-byte record.");
            total += size / record;
        }
        var pixels = new byte[total * Pixels];
        var labels = new byte[total];
        long n = 0;
        foreach (var path in paths)
        {
            var b = File.ReadAllBytes(path);
            for (int off = 0; off < b.Length; off += record, n++)
            {
                if (cifar100 && b[off] >= 20)
                    throw new LsLabException($"{path}: coarse label {b[off]} in record {off / record} is out of range: expected 0..19.");
                byte label = b[off + labelBytes - 1];
                if (label >= classes)
                    throw new LsLabException($"{path}: label {label} in record {off / record} is out of range: expected 0..{classes - 1}.");
                labels[n] = label;
                Buffer.BlockCopy(b, off + labelBytes, pixels, (int)(n * Pixels), Pixels);
            }
        }
        return (pixels, labels);
    }

    /// <summary>CIFAR-10's class names in label order.</summary>
    public static readonly string[] Cifar10Classes = { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

    /// <summary>CIFAR-100's fine class names in label order.</summary>
    public static readonly string[] Cifar100Classes =
    {
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy", "bridge", "bus",
        "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab",
        "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
        "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
        "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
        "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train",
        "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    };
}
