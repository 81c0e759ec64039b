package io.exitscope.source.perfdata;

import io.exitscope.event.EventFormat;

/**
 * One {@code perf_event_attr} as perf.data stores it (include/uapi/linux/perf_event.h), with the
 * sample ids that name its events. Only what reading tracepoint samples needs is kept.
 */
final class PerfAttr {
    static final int TYPE_TRACEPOINT = 2;

    // sample_type bits, in the order the kernel writes a sample (kernel/events/core.c, perf_output_sample)
    static final long IP = 1L, TID = 1L << 1, TIME = 1L << 2, ADDR = 1L << 3, READ = 1L << 4, CALLCHAIN = 1L << 5,
            ID = 1L << 6, CPU = 1L << 7, PERIOD = 1L << 8, STREAM_ID = 1L << 9, RAW = 1L << 10,
            IDENTIFIER = 1L << 16;
    static final String[] SAMPLE_BITS = {"IP", "TID", "TIME", "ADDR", "READ", "CALLCHAIN", "ID", "CPU", "PERIOD",
            "STREAM_ID", "RAW", "BRANCH_STACK", "REGS_USER", "STACK_USER", "WEIGHT", "DATA_SRC", "IDENTIFIER",
            "TRANSACTION", "REGS_INTR", "PHYS_ADDR", "AUX", "CGROUP", "DATA_PAGE_SIZE", "CODE_PAGE_SIZE", "WEIGHT_STRUCT"};

    // read_format bits
    static final long FORMAT_TOTAL_TIME_ENABLED = 1, FORMAT_TOTAL_TIME_RUNNING = 2, FORMAT_ID = 4, FORMAT_GROUP = 8, FORMAT_LOST = 16;

    // attr flag bits, LSB first as on a little-endian host (sample_id_all is bit 18, use_clockid 25)
    static final long FLAG_SAMPLE_ID_ALL = 1L << 18, FLAG_USE_CLOCKID = 1L << 25;

    final int type;
    /** Bytes of the perf_event_attr as stored. */
    final int size;
    final long config;
    final long sampleType;
    final long readFormat;
    final long flags;
    final int clockid;
    final long[] ids;
    String name;
    /** The tracepoint's format, resolved on first sample. */
    EventFormat format;
    /** Bytes of the sample_id trailer on non-sample records (0 without sample_id_all). */
    final int trailerSize;

    PerfAttr(int type, int size, long config, long sampleType, long readFormat, long flags, int clockid, long[] ids) {
        this.type = type;
        this.size = size;
        this.config = config;
        this.sampleType = sampleType;
        this.readFormat = readFormat;
        this.flags = flags;
        this.clockid = clockid;
        this.ids = ids;
        int n = 0;
        if ((flags & FLAG_SAMPLE_ID_ALL) != 0) {
            for (long bit : new long[]{TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER}) if ((sampleType & bit) != 0) n++;
        }
        this.trailerSize = n * 8;
    }

    boolean sampleIdAll() {
        return (flags & FLAG_SAMPLE_ID_ALL) != 0;
    }

    /** Position (in u64 words after the record header) of the sample's id, -1 if it has none. */
    int sampleIdPos() {
        if ((sampleType & IDENTIFIER) != 0) return 0;
        if ((sampleType & ID) == 0) return -1;
        int pos = 0;
        for (long bit : new long[]{IP, TID, TIME, ADDR}) if ((sampleType & bit) != 0) pos++;
        return pos;
    }

    /** Position of the id counted back from a non-sample record's end (1 = last u64), -1 if none. */
    int trailerIdPos() {
        if ((sampleType & IDENTIFIER) != 0) return 1;
        if ((sampleType & ID) == 0) return -1;
        int pos = 1;
        for (long bit : new long[]{STREAM_ID, CPU}) if ((sampleType & bit) != 0) pos++;
        return pos;
    }

    /** Bytes of a READ value in a sample, given its group member count for GROUP reads. */
    int readSize(long members) {
        int perValue = 8 + ((readFormat & FORMAT_ID) != 0 ? 8 : 0) + ((readFormat & FORMAT_LOST) != 0 ? 8 : 0);
        int times = ((readFormat & FORMAT_TOTAL_TIME_ENABLED) != 0 ? 8 : 0) + ((readFormat & FORMAT_TOTAL_TIME_RUNNING) != 0 ? 8 : 0);
        if ((readFormat & FORMAT_GROUP) == 0) return perValue + times;
        return (int) Math.min(Integer.MAX_VALUE, 8 + times + members * perValue);
    }

    static String sampleTypeText(long t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            if ((t & (1L << i)) == 0) continue;
            if (sb.length() > 0) sb.append('|');
            sb.append(i < SAMPLE_BITS.length ? SAMPLE_BITS[i] : "BIT" + i);
        }
        return sb.toString();
    }

    /** The clock the kernel stamped samples with: perf's local clock unless use_clockid. */
    String clockName() {
        if ((flags & FLAG_USE_CLOCKID) == 0) return "perf";
        return switch (clockid) {
            case 0 -> "realtime";
            case 1 -> "mono";
            case 4 -> "mono_raw";
            case 7 -> "boot";
            case 11 -> "tai";
            default -> "clockid " + clockid;
        };
    }
}
