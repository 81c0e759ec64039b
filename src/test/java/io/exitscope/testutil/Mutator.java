package io.exitscope.testutil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic byte-level mutations of a seed file. The same {@code (seed, inputSeed)} always
 * gives the same bytes and the same human-readable list of mutations, so a failure can be
 * replayed from the number printed with it.
 *
 * <p>Half the mutations aim at known structural fields (sizes, offsets, counts, ids, page
 * headers) with "interesting" values; the rest are bit flips, byte and int overwrites anywhere,
 * truncation, range duplication, deletion, insertion and splicing from another seed.
 */
public final class Mutator {

    /**
     * A seed: a name for messages, its bytes, its structural fields (binary seeds), whether it is
     * a text trace (then line- and token-level mutations are added, and some inputs are gzipped).
     */
    public record Seed(String name, byte[] data, List<TraceDatLayout.Field> fields, int weight, boolean text, Regen regen) {
        public Seed(String name, byte[] data, List<TraceDatLayout.Field> fields, int weight) {
            this(name, data, fields, weight, false, null);
        }

        public static Seed text(String name, byte[] data, int weight) {
            return new Seed(name, data, List.of(), weight, true, null);
        }
    }

    /**
     * A seed that rebuilds its file from mutated parts (e.g. an event format text changed, then
     * the file written again with every size and offset consistent), so the mutation reaches
     * the parsers behind the container structure.
     */
    public interface Regen {
        byte[] generate(SplittableRandom r, List<String> log);
    }

    /** A mutated input and what was done to it; {@code gzip}: the bytes are a gzip file. */
    public record Input(Seed seed, long inputSeed, byte[] data, List<String> mutations, boolean gzip) {
        public String describe() {
            return "seed file '" + seed.name() + "' (" + seed.data().length + " bytes), input seed 0x"
                    + Long.toHexString(inputSeed) + ", mutations " + mutations;
        }
    }

    private final List<Seed> seeds;
    private final int totalWeight;

    public Mutator(List<Seed> seeds) {
        this.seeds = List.copyOf(seeds);
        int w = 0;
        for (Seed s : seeds) w += s.weight();
        this.totalWeight = w;
    }

    public List<Seed> seeds() {
        return seeds;
    }

    /** The input for {@code inputSeed}: picks a seed by weight and applies 1..6 mutations. */
    public Input mutate(long inputSeed) {
        SplittableRandom r = new SplittableRandom(inputSeed);
        int pick = r.nextInt(totalWeight);
        Seed seed = seeds.get(seeds.size() - 1);
        for (Seed s : seeds) {
            if (pick < s.weight()) { seed = s; break; }
            pick -= s.weight();
        }
        List<String> log = new ArrayList<>();
        byte[] d = seed.regen() != null ? seed.regen().generate(r, log) : seed.data().clone();
        int n = seed.regen() != null ? r.nextInt(2) : 1;
        while (n < 6 && r.nextInt(3) == 0) n++;
        for (int i = 0; i < n && d.length > 0; i++) {
            d = seed.text() && r.nextInt(3) > 0 ? TextMutations.one(r, d, log) : one(r, seed, d, log);
        }
        boolean gzip = false;
        if (seed.text() && r.nextInt(10) == 0) {
            d = TextMutations.gzip(d);
            gzip = true;
            log.add("gzip");
            if (r.nextInt(3) == 0) d = one(r, new Seed(seed.name() + ".gz", d, List.of(), 0), d, log);
        }
        return new Input(seed, inputSeed, d, log, gzip);
    }

    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001,
            0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L,
            0x7fffffffffffffffL, 0x8000000000000000L, -1L, -2L};

    private byte[] one(SplittableRandom r, Seed seed, byte[] d, List<String> log) {
        List<TraceDatLayout.Field> fields = seed.fields();
        int kind = r.nextInt(100);
        if (kind < 45 && !fields.isEmpty()) {
            TraceDatLayout.Field f = fields.get(r.nextInt(fields.size()));
            if (f.offset() + f.width() > d.length) return d;
            int w = Math.min(f.width(), 8);
            long old = get(d, (int) f.offset(), w);
            int how = r.nextInt(10);
            long v;
            String what;
            if (how < 3) {
                v = INTERESTING[r.nextInt(INTERESTING.length)];
                what = "=0x" + Long.toHexString(v);
            } else if (how < 6) {
                long delta = new long[]{1, -1, 2, -2, 4, -4, 8, -8, 4096, -4096, 16, -16}[r.nextInt(12)];
                v = old + delta;
                what = (delta > 0 ? "+" : "") + delta;
            } else if (how < 8) {
                int bit = r.nextInt(w * 8);
                v = old ^ (1L << bit);
                what = " flip bit " + bit;
            } else if (how < 9) {
                v = old + (long) d.length;
                what = " + file size";
            } else {
                v = r.nextLong();
                what = "=random 0x" + Long.toHexString(v);
            }
            put(d, (int) f.offset(), w, v);
            log.add(f.name() + "@" + f.offset() + what);
            return d;
        }
        kind = r.nextInt(100);
        int len = d.length;
        if (kind < 30) {
            int at = r.nextInt(len);
            int bit = r.nextInt(8);
            d[at] ^= (byte) (1 << bit);
            log.add("flip bit " + bit + " of byte " + at);
            return d;
        }
        if (kind < 45) {
            int at = r.nextInt(len);
            int b = new int[]{0, 0xff, 0x7f, 0x80, 1, 0x20, 0x0a, '%', '(', ';'}[r.nextInt(10)];
            d[at] = (byte) b;
            log.add("byte " + at + "=0x" + Integer.toHexString(b));
            return d;
        }
        if (kind < 57) {
            int w = r.nextBoolean() ? 4 : 8;
            if (len < w) return d;
            int at = r.nextInt(len - w + 1) & ~(w == 8 && r.nextBoolean() ? 7 : 3);
            long v = INTERESTING[r.nextInt(INTERESTING.length)];
            put(d, at, w, v);
            log.add("u" + (w * 8) + " at " + at + "=0x" + Long.toHexString(v));
            return d;
        }
        if (kind < 67) {
            int at;
            if (!fields.isEmpty() && r.nextBoolean()) {
                TraceDatLayout.Field f = fields.get(r.nextInt(fields.size()));
                at = (int) Math.min(len, Math.max(0, f.offset() + r.nextInt(-2, f.width() + 3)));
            } else {
                at = r.nextInt(len + 1);
            }
            log.add("truncate to " + at);
            return Arrays.copyOf(d, at);
        }
        if (kind < 77) {
            // duplicate a range over another place (same length: offsets elsewhere stay valid)
            int n = 1 + r.nextInt(Math.min(len, 1 << (4 + r.nextInt(9))));
            int from = r.nextInt(len - n + 1), to = r.nextInt(len - n + 1);
            System.arraycopy(d.clone(), from, d, to, n);
            log.add("copy " + n + " bytes from " + from + " over " + to);
            return d;
        }
        if (kind < 84) {
            int n = 1 + r.nextInt(Math.min(len, 1 << (2 + r.nextInt(10))));
            int at = r.nextInt(len - n + 1);
            byte[] out = new byte[len - n];
            System.arraycopy(d, 0, out, 0, at);
            System.arraycopy(d, at + n, out, at, len - n - at);
            log.add("delete " + n + " bytes at " + at);
            return out;
        }
        if (kind < 91) {
            int n = 1 + r.nextInt(1 << (2 + r.nextInt(8)));
            int at = r.nextInt(len + 1);
            byte[] ins = new byte[n];
            boolean zero = r.nextBoolean();
            if (!zero) for (int i = 0; i < n; i++) ins[i] = (byte) r.nextInt(256);
            byte[] out = new byte[len + n];
            System.arraycopy(d, 0, out, 0, at);
            System.arraycopy(ins, 0, out, at, n);
            System.arraycopy(d, at, out, at + n, len - at);
            log.add("insert " + n + (zero ? " zero" : " random") + " bytes at " + at);
            return out;
        }
        // splice: a range of another seed over this one at the same offset (or anywhere)
        Seed other = seeds.get(r.nextInt(seeds.size()));
        int olen = other.data().length;
        if (olen == 0) return d;
        int n = 1 + r.nextInt(Math.min(Math.min(len, olen), 1 << (4 + r.nextInt(10))));
        int from = r.nextInt(olen - n + 1);
        int to = r.nextBoolean() && from + n <= len ? from : r.nextInt(len - n + 1);
        System.arraycopy(other.data(), from, d, to, n);
        log.add("splice " + n + " bytes of '" + other.name() + "'@" + from + " over " + to);
        return d;
    }

    static long get(byte[] d, int at, int w) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        return switch (w) {
            case 1 -> d[at] & 0xffL;
            case 2 -> b.getShort(at) & 0xffffL;
            case 4 -> b.getInt(at) & 0xffffffffL;
            case 8 -> b.getLong(at);
            default -> {
                long v = 0;
                for (int i = w - 1; i >= 0; i--) v = (v << 8) | (d[at + i] & 0xff);
                yield v;
            }
        };
    }

    static void put(byte[] d, int at, int w, long v) {
        for (int i = 0; i < w; i++) d[at + i] = (byte) (v >>> (8 * i));
    }
}
