package io.sparkdiffusion.train;

import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A vertical log axis labelled at round numbers: 1, 2 and 5 times a power of ten (every digit when the range holds
 * fewer than three of those). JFreeChart's {@link LogAxis} steps evenly in the exponent, which labels a loss axis
 * 0.8913, 0.7943, 0.7079, …
 */
final class RoundLogAxis extends LogAxis {
    private static final int[] ROUND = {1, 2, 5};
    private static final int[] EVERY = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    RoundLogAxis(String label) {
        super(label);
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        double lower = getLowerBound();
        double upper = getUpperBound();
        return ticks(lower, upper);
    }

    /** The labelled ticks between lower and upper. */
    static List<NumberTick> ticks(double lower, double upper) {
        List<NumberTick> ticks = ticks(lower, upper, ROUND);
        return ticks.size() >= 3 ? ticks : ticks(lower, upper, EVERY);
    }

    private static List<NumberTick> ticks(double lower, double upper, int[] digits) {
        List<NumberTick> ticks = new ArrayList<>();
        if (!(lower > 0) || !(upper > lower)) {
            return ticks;
        }
        for (int exponent = (int) Math.floor(Math.log10(lower)); exponent <= Math.ceil(Math.log10(upper)); exponent++) {
            for (int digit : digits) {
                BigDecimal value = BigDecimal.valueOf(digit).scaleByPowerOfTen(exponent);
                double v = value.doubleValue();
                if (v >= lower && v <= upper) {
                    ticks.add(new NumberTick(TickType.MAJOR, v, value.stripTrailingZeros().toPlainString(),
                            TextAnchor.CENTER_RIGHT, TextAnchor.CENTER, 0.0));
                }
            }
        }
        return ticks;
    }
}
