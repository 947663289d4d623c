package io.sparkdiffusion.image;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Tiles N images into one picture, like torchvision's {@code make_grid}: {@code nrow} images per row,
 * {@code padding} pixels of {@code padValue} around and between the cells, then the whole grid enlarged
 * by an integer factor (nearest neighbour) so that 28×28 samples stay visible.
 *
 * <p>Geometry (before scaling): columns = min(nrow, N), rows = ⌈N / columns⌉,
 * width = columns·(W + padding) + padding, height = rows·(H + padding) + padding; image k sits at
 * row k / columns, column k % columns, its top-left corner at (row·(H + padding) + padding,
 * column·(W + padding) + padding). Unused cells keep the padding colour.
 *
 * @param nrow     images per row (torchvision's name; it is the number of columns)
 * @param padding  pixels between and around the cells
 * @param padValue 8-bit value of the padding (0 black, 255 white)
 * @param scale    integer enlargement factor of the finished grid, 1 for none
 */
public record ImageGrid(int nrow, int padding, int padValue, int scale) {

    /** torchvision's defaults: 8 per row, 2 pixels of black padding. */
    public static final ImageGrid DEFAULT = new ImageGrid(8, 2, 0, 1);

    public ImageGrid {
        if (nrow < 1 || padding < 0 || scale < 1 || padValue < 0 || padValue > 255) {
            throw new IllegalArgumentException("image grid needs nrow >= 1, padding >= 0, scale >= 1 and "
                    + "pad value 0..255, got " + nrow + ", " + padding + ", " + scale + ", " + padValue);
        }
    }

    public static ImageGrid of(int nrow) {
        return new ImageGrid(nrow, DEFAULT.padding, DEFAULT.padValue, DEFAULT.scale);
    }

    public ImageGrid withScale(int newScale) {
        return new ImageGrid(nrow, padding, padValue, newScale);
    }

    /** A batch [N, C, H, W] in [−1, 1] → PNG bytes of the grid. */
    public byte[] png(INDArray images) {
        return PngImages.encode(render(images));
    }

    /** A batch [N, C, H, W] in [−1, 1] → the grid as an 8-bit image. */
    public Uint8Image render(INDArray images) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("expected a batch [N, C, H, W], got shape " + Arrays.toString(images.shape()));
        }
        int n = (int) images.size(0);
        ImageShape cell = new ImageShape((int) images.size(1), (int) images.size(2), (int) images.size(3));
        return compose(n, cell, Pixels.toUint8(images));
    }

    /** Same-shaped 8-bit images → the grid. */
    public Uint8Image render(List<Uint8Image> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot make a grid of no images");
        }
        ImageShape cell = images.get(0).shape();
        byte[] all = new byte[images.size() * cell.size()];
        for (int i = 0; i < images.size(); i++) {
            if (!images.get(i).shape().equals(cell)) {
                throw new IllegalArgumentException("grid images must share one shape: " + cell + " vs " + images.get(i).shape());
            }
            System.arraycopy(images.get(i).pixels(), 0, all, i * cell.size(), cell.size());
        }
        return compose(images.size(), cell, all);
    }

    private Uint8Image compose(int n, ImageShape cell, byte[] pixels) {
        if (n < 1) {
            throw new IllegalArgumentException("cannot make a grid of no images");
        }
        int c = cell.channels();
        int h = cell.height();
        int w = cell.width();
        int columns = Math.min(nrow, n);
        int rows = (n + columns - 1) / columns;
        int gridH = rows * (h + padding) + padding;
        int gridW = columns * (w + padding) + padding;
        byte[] grid = new byte[c * gridH * gridW];
        Arrays.fill(grid, (byte) padValue);
        for (int k = 0; k < n; k++) {
            int top = (k / columns) * (h + padding) + padding;
            int left = (k % columns) * (w + padding) + padding;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(pixels, ((k * c + ch) * h + y) * w, grid, (ch * gridH + top + y) * gridW + left, w);
                }
            }
        }
        return upscale(new Uint8Image(c, gridH, gridW, grid));
    }

    private Uint8Image upscale(Uint8Image image) {
        if (scale == 1) {
            return image;
        }
        int c = image.channels();
        int h = image.height();
        int w = image.width();
        int bigH = h * scale;
        int bigW = w * scale;
        byte[] src = image.pixels();
        byte[] out = new byte[c * bigH * bigW];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < bigH; y++) {
                int srcRow = (ch * h + y / scale) * w;
                int dstRow = (ch * bigH + y) * bigW;
                for (int x = 0; x < bigW; x++) {
                    out[dstRow + x] = src[srcRow + x / scale];
                }
            }
        }
        return new Uint8Image(c, bigH, bigW, out);
    }
}
