package io.sparkdiffusion.image;

/**
 * Scales an image so that its shorter side is {@code size} and cuts the centred {@code size × size} square,
 * in one separable pass that computes only the pixels of the square.
 *
 * <p>Filters: shrinking averages the exact area each output pixel covers (a box filter with fractional edge
 * weights, as OpenCV's INTER_AREA: no aliasing, every input pixel counted once, cost linear in the input
 * size, however large the factor); enlarging uses bicubic interpolation (Keys, a = −0.5, the kernel of
 * PIL and OpenCV). Both axes use the one factor shorter-side / size, so the aspect ratio is kept exactly and
 * the crop is centred to a fraction of a pixel. An image already {@code size × size} is returned unchanged.
 */
public final class SquareResizer {
    private static final double CUBIC_A = -0.5;

    private SquareResizer() {
    }

    public static Uint8Image resize(Uint8Image image, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        int h = image.height();
        int w = image.width();
        if (h == size && w == size) {
            return image;
        }
        double scale = (double) Math.min(h, w) / size; // input pixels per output pixel
        AxisWeights cols = AxisWeights.of(w, size, scale);
        AxisWeights rows = AxisWeights.of(h, size, scale);
        int c = image.channels();
        byte[] src = image.pixels();
        byte[] out = new byte[c * size * size];
        float[] horizontal = new float[h * size]; // only rows rows.first .. rows.last are filled and read
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = rows.first(); y <= rows.last(); y++) {
                int rowStart = plane + y * w;
                for (int x = 0; x < size; x++) {
                    int start = cols.start[x];
                    int base = x * cols.taps;
                    float sum = 0f;
                    for (int k = 0; k < cols.count[x]; k++) {
                        sum += cols.weights[base + k] * (src[rowStart + start + k] & 0xFF);
                    }
                    horizontal[y * size + x] = sum;
                }
            }
            int outPlane = ch * size * size;
            for (int y = 0; y < size; y++) {
                int start = rows.start[y];
                int base = y * rows.taps;
                for (int x = 0; x < size; x++) {
                    float sum = 0f;
                    for (int k = 0; k < rows.count[y]; k++) {
                        sum += rows.weights[base + k] * horizontal[(start + k) * size + x];
                    }
                    out[outPlane + y * size + x] = (byte) Math.max(0, Math.min(255, Math.round(sum)));
                }
            }
        }
        return new Uint8Image(c, size, size, out);
    }

    /** For each output pixel along one axis: the first input pixel it reads and the weights of the inputs. */
    static final class AxisWeights {
        final int[] start;
        final int[] count;
        final float[] weights; // taps per output pixel, row by row
        final int taps;

        private AxisWeights(int size, int taps) {
            this.start = new int[size];
            this.count = new int[size];
            this.weights = new float[size * taps];
            this.taps = taps;
        }

        int first() {
            return start[0];
        }

        int last() {
            int last = 0;
            for (int i = 0; i < start.length; i++) {
                last = Math.max(last, start[i] + count[i] - 1);
            }
            return last;
        }

        /**
         * @param length input pixels along the axis
         * @param size   output pixels (the crop)
         * @param scale  input pixels per output pixel
         */
        static AxisWeights of(int length, int size, double scale) {
            double offset = (length - size * scale) / 2; // the crop's left edge, in input pixels
            return scale >= 1 ? area(length, size, scale, offset) : cubic(length, size, scale, offset);
        }

        private static AxisWeights area(int length, int size, double scale, double offset) {
            AxisWeights a = new AxisWeights(size, (int) Math.ceil(scale) + 2);
            for (int j = 0; j < size; j++) {
                double from = offset + j * scale;
                double to = from + scale;
                int first = Math.max(0, (int) Math.floor(from));
                int last = Math.min(length - 1, (int) Math.ceil(to) - 1);
                a.start[j] = first;
                a.count[j] = last - first + 1;
                for (int i = first; i <= last; i++) {
                    double covered = Math.min(to, i + 1) - Math.max(from, i);
                    a.weights[j * a.taps + i - first] = (float) (covered / scale);
                }
            }
            return a;
        }

        private static AxisWeights cubic(int length, int size, double scale, double offset) {
            AxisWeights a = new AxisWeights(size, 4);
            for (int j = 0; j < size; j++) {
                double centre = offset + (j + 0.5) * scale - 0.5; // in input pixel coordinates
                int first = (int) Math.floor(centre) - 1;
                // Taps past the edge reuse the edge pixel: fold their weight onto it.
                int lo = Math.max(0, Math.min(length - 1, first));
                int hi = Math.max(0, Math.min(length - 1, first + 3));
                a.start[j] = lo;
                a.count[j] = hi - lo + 1;
                double total = 0;
                double[] w = new double[hi - lo + 1];
                for (int k = 0; k < 4; k++) {
                    int i = Math.max(lo, Math.min(hi, first + k));
                    double weight = cubic(centre - (first + k));
                    w[i - lo] += weight;
                    total += weight;
                }
                for (int k = 0; k < w.length; k++) {
                    a.weights[j * a.taps + k] = (float) (w[k] / total);
                }
            }
            return a;
        }

        /** Keys' cubic convolution kernel. */
        private static double cubic(double x) {
            x = Math.abs(x);
            if (x < 1) {
                return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
            }
            if (x < 2) {
                return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
            }
            return 0;
        }
    }
}
