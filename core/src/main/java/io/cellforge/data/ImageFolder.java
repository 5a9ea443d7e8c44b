package io.cellforge.data;

import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
                throw new LoadException(root.resolve("test").toString(), "images are " + test.shape() + " but train images are " + train.shape());
            }
            return new DataBundle(train, test, "image folder " + root);
        }
        Dataset all = classes(root, root.getFileName().toString(), null);
        Dataset[] parts = all.split(Datasets.DIGITS_TRAIN, Datasets.SPLIT_SEED);
        return new DataBundle(Datasets.rename(parts[0], all.name() + " train"), Datasets.rename(parts[1], all.name() + " test"),
                "image folder " + root);
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
        List<BufferedImage> images = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            List<Path> imgs;
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                imgs = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)$"))
                        .sorted().toList();
            } catch (IOException e) {
                throw new LoadException(classDirs.get(c).toString(), "cannot list: " + e.getMessage());
            }
            for (Path f : imgs) {
                BufferedImage img;
                try {
                    img = ImageIO.read(f.toFile());
                } catch (IOException e) {
                    throw new LoadException(f.toString(), "cannot read the image: " + e.getMessage());
                }
                if (img == null) {
                    throw new LoadException(f.toString(), "not a readable image");
                }
                images.add(img);
                files.add(f);
                labels.add(c);
            }
        }
        if (images.isEmpty()) {
            throw new LoadException(dir.toString(), "the class folders hold no images (.png, .jpg, .bmp, .gif)");
        }
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        boolean grey = images.stream().allMatch(i -> i.getType() == BufferedImage.TYPE_BYTE_GRAY);
        int c = grey ? 1 : 3;
        float[] x = new float[images.size() * c * h * w];
        for (int n = 0; n < images.size(); n++) {
            BufferedImage img = images.get(n);
            if (img.getWidth() != w || img.getHeight() != h) {
                throw new LoadException(files.get(n).toString(), "is " + img.getWidth() + "x" + img.getHeight() + " but "
                        + files.get(0).getFileName() + " is " + w + "x" + h + "; all images must have one size");
            }
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    int rgb = img.getRGB(xx, yy);
                    int base = n * c * h * w + yy * w + xx;
                    if (grey) {
                        x[base] = (rgb & 0xff) / 255f;
                    } else {
                        x[base] = ((rgb >> 16) & 0xff) / 255f;
                        x[base + h * w] = ((rgb >> 8) & 0xff) / 255f;
                        x[base + 2 * h * w] = (rgb & 0xff) / 255f;
                    }
                }
            }
        }
        return new Dataset(name, new Shape(c, h, w), names, x, labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
