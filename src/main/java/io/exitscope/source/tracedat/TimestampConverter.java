package io.exitscope.source.tracedat;

/**
 * trace-cmd's timestamp pipeline ({@code timestamp_calc} in libtracecmd): guest→host time shift
 * (TIME_SHIFT), then TSC→ns ({@code (ts * mult) >> shift}, 96-bit intermediate), then the fixed
 * offsets of the OFFSET and DATE options.
 */
final class TimestampConverter {
    private final long mult;
    private final int shift;
    private final long offset;
    private final TimeShift timeShift;

    TimestampConverter(long mult, int shift, long offset, TimeShift timeShift) {
        this.mult = mult;
        this.shift = shift;
        this.offset = offset;
        this.timeShift = timeShift;
    }

    boolean identity() {
        return mult == 0 && offset == 0 && timeShift == null;
    }

    long convert(long ts, int cpu) {
        if (timeShift != null) ts = timeShift.apply(ts, cpu);
        if (mult != 0) ts = mulShr(ts, mult, shift);
        return ts + offset;
    }

    /** {@code (a * m) >> s} for unsigned 64-bit a and 32-bit m, as the kernel's mul_u64_u32_shr. */
    static long mulShr(long a, long m, int s) {
        long lo = a * m;
        long hi = Math.multiplyHigh(a, m) + ((a >> 63) & m);
        if (s == 0) return lo;
        if (s >= 64) return hi >>> (s - 64);
        return (lo >>> s) | (hi << (64 - s));
    }

    /** Per-CPU host/guest synchronisation samples of the TIME_SHIFT option. */
    static final class TimeShift {
        final boolean interpolate;
        final long[][] times, offsets, scalings, fractions;

        TimeShift(boolean interpolate, long[][] times, long[][] offsets, long[][] scalings, long[][] fractions) {
            this.interpolate = interpolate;
            this.times = times;
            this.offsets = offsets;
            this.scalings = scalings;
            this.fractions = fractions;
        }

        long apply(long ts, int cpu) {
            if (cpu >= times.length) return ts;
            long[] t = times[cpu];
            int n = t.length;
            if (n == 0) return ts;
            if (n == 1) return ts + offsets[cpu][0];
            int lo;
            if (n == 2 || Long.compareUnsigned(ts, t[0]) <= 0) lo = 0;
            else if (Long.compareUnsigned(ts, t[n - 1]) >= 0) lo = n - 2;
            else {
                int min = 0, max = n - 1, mid = (min + max) / 2;
                while (min <= max) {
                    int c = Long.compareUnsigned(ts, t[mid]);
                    if (c < 0) max = mid - 1;
                    else if (c > 0) min = mid + 1;
                    else break;
                    mid = (min + max) / 2;
                }
                lo = Math.min(mid, n - 2);
            }
            return correct(ts, cpu, lo, lo + 1);
        }

        private long correct(long ts, int cpu, int a, int b) {
            long tscor;
            if (interpolate) {
                long delta = times[cpu][b] - times[cpu][a];
                long off = (ts - times[cpu][a]) * (offsets[cpu][b] - offsets[cpu][a]);
                tscor = delta == 0 ? offsets[cpu][a] : offsets[cpu][a] + (off + delta / 2) / delta;
            } else {
                tscor = offsets[cpu][a];
            }
            long frac = fractions == null ? 0 : fractions[cpu][a];
            long scaled = (ts * scalings[cpu][a]) >>> frac;
            return scaled + tscor;
        }
    }
}
