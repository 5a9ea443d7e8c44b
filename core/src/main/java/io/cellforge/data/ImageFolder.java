package io.cellforge.data;

import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder with one sub-folder of images per class (PNG, JPEG, BMP, GIF), or with {@code train/} and
 * {@code test/} folders of that form. All images must have the same size; grey images give one channel.
 */
final class ImageFolder {
    private ImageFolder() {
    }

    static DataBundle read(Path root) throws LoadException {
        if (Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("test"))) {
            Dataset train = classes(root.resolve("train"), root.getFileName() + " train", null);
            Dataset test = classes(root.resolve("test"), root.getFileName() + " test", train.classNames());
            if (!test.shape().equals(train.shape())) {
                throw new LoadException(root.resolve("test").toString(), "images are " + test.shape() + " but the training images ("
                        + root.resolve("train") + ") are " + train.shape() + "; both must have one size");
            }
            return new DataBundle(train, test, "image folder " + root);
        }
        return Datasets.split(classes(root, root.getFileName().toString(), null), root, "image folder " + root);
    }

    private static Dataset classes(Path dir, String name, List<String> expectedClasses) throws LoadException {
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new LoadException(dir.toString(), "cannot list: " + e.getMessage());
        }
        if (classDirs.isEmpty()) {
            throw new LoadException(dir.toString(), "no class folders: expected one sub-folder of images per class "
                    + "(or IDX, CIFAR binary or CSV files)");
        }
        List<String> names = classDirs.stream().map(p -> p.getFileName().toString()).toList();
        if (expectedClasses != null && !expectedClasses.equals(names)) {
            throw new LoadException(dir.toString(), "classes " + names + " differ from the training classes " + expectedClasses);
        }
        // Each image is kept as its RGB bytes (3 a pixel) until all are read: a quarter of a BufferedImage.
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        boolean grey = true;
        int w = 0;
        int h = 0;
        Path first = null;
        for (int c = 0; c < classDirs.size(); c++) {
            List<Path> imgs;
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                imgs = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)$"))
                        .sorted().toList();
            } catch (IOException e) {
                throw new LoadException(classDirs.get(c).toString(), "cannot list: " + e.getMessage());
            }
            for (Path f : imgs) {
                BufferedImage img = image(f, first == null ? null : new int[] {w, h}, first);
                if (first == null) {
                    first = f;
                    w = img.getWidth();
                    h = img.getHeight();
                }
                long values = 3L * w * h * (images.size() + 1);
                Datasets.requireValues(values, dir.toString());
                Datasets.requireMemory(2 * values, dir.toString()); // a byte a value now, then one in the images
                grey &= img.getType() == BufferedImage.TYPE_BYTE_GRAY;
                byte[] rgb = new byte[3 * w * h];
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        int v = img.getRGB(xx, yy);
                        int at = yy * w + xx;
                        rgb[at] = (byte) (v >> 16);
                        rgb[at + w * h] = (byte) (v >> 8);
                        rgb[at + 2 * w * h] = (byte) v;
                    }
                }
                images.add(rgb);
                labels.add(c);
            }
        }
        if (images.isEmpty()) {
            throw new LoadException(dir.toString(), "the class folders hold no images (.png, .jpg, .bmp, .gif)");
        }
        int c = grey ? 1 : 3;
        int per = c * h * w;
        byte[] x = Datasets.pixels((long) images.size() * per, dir.toString());
        for (int n = 0; n < images.size(); n++) {
            // A grey image has R = G = B: its first plane is its one channel.
            System.arraycopy(images.get(n), 0, x, n * per, per);
            images.set(n, null); // freed as copied: the RGB copies and the pixels are not all held at once
        }
        return new Dataset(name, new Shape(c, h, w), names, x, Dataset.EIGHT_BIT, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * One image, its size read from its header and checked (at most {@link Limits#IMAGE_SIDE} a side, and
     * {@code size}, that of {@code firstFile}, unless null) before its pixels are decoded; the file is a regular one within
     * {@link Limits#IMAGE_FILE_BYTES}, read through a bounded stream into memory (no cache file).
     */
    private static BufferedImage image(Path f, int[] size, Path firstFile) throws LoadException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(Limits.open(f, Limits.IMAGE_FILE_BYTES))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new LoadException(f.toString(), "not a readable image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > Limits.IMAGE_SIDE || h > Limits.IMAGE_SIDE) {
                    throw new LoadException(f.toString(), "implausible image size " + w + "x" + h + " (at most "
                            + Limits.IMAGE_SIDE + "x" + Limits.IMAGE_SIDE + ")");
                }
                if (size != null && (w != size[0] || h != size[1])) {
                    throw new LoadException(f.toString(), "is " + w + "x" + h + " but " + firstFile.getFileName() + " is "
                            + size[0] + "x" + size[1] + "; all images must have one size");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (IOException e) {
            throw new LoadException(f.toString(), "cannot read the image: " + e.getMessage());
        } catch (RuntimeException e) {
            // The JDK's decoders answer some damaged files with unchecked exceptions.
            throw new LoadException(f.toString(), "not a readable image (" + e.getClass().getSimpleName() + ")");
        }
    }
}
