package io.exitscope.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a large perf.data from a real one when no KVM guest can be run to record it
 * (bench/make-large-perf-data.sh): the recording's tracepoint samples, raw payloads unchanged,
 * repeated until {@code EVENTS}, spread over {@code CPUS} CPUs the way {@code perf record} writes
 * them: per round, each CPU's buffer in turn (times interleaved across CPUs, increasing within
 * one), then a {@code FINISHED_ROUND}. Attributes, sample ids, the records before the first sample
 * (COMM, MMAP ...) and every feature section (tracing data with the real event formats, host,
 * command line, event names) are copied from the input, so perf script reads the result.
 *
 * <p>Usage: {@code PerfDataGenerator IN.perf.data OUT.perf.data EVENTS [CPUS=4] [PER_CPU_PER_ROUND=2000]}.
 * Little-endian, uncompressed, file-mode input whose samples carry TIME and CPU.
 */
public final class PerfDataGenerator {
    private static final long TIME = 1L << 2, CPU = 1L << 7;

    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: PerfDataGenerator IN.perf.data OUT.perf.data EVENTS [CPUS] [PER_CPU_PER_ROUND]");
            System.exit(64);
        }
        long events = Long.parseLong(args[2]);
        int cpus = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int perRound = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
        long n = generate(Path.of(args[0]), Path.of(args[1]), events, cpus, perRound);
        System.out.println(args[1] + ": " + n + " samples on " + cpus + " CPUs, " + Files.size(Path.of(args[1])) + " bytes");
    }

    /** Writes OUT and returns the number of samples written. */
    public static long generate(Path in, Path out, long events, int cpus, int perRound) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
        if (src.getLong(0) != 0x32454c4946524550L || src.getLong(8) != 104) throw new IOException(in + ": not a little-endian file-mode perf.data");
        long attrSize = src.getLong(16), attrsOff = src.getLong(24), attrsSize = src.getLong(32);
        int dataOff = (int) src.getLong(40), dataSize = (int) src.getLong(48);
        long sampleType = src.getLong((int) attrsOff + 24);
        if ((sampleType & (TIME | CPU)) != (TIME | CPU)) throw new IOException(in + ": samples need TIME and CPU");
        int timeAt = 8 + 8 * Long.bitCount(sampleType & 0b11L) + 8 * Long.bitCount(sampleType & (1L << 16));
        int cpuAt = timeAt + 8 + 8 * Long.bitCount(sampleType & ((1L << 3) | (1L << 6) | (1L << 9)));

        List<byte[]> prologue = new ArrayList<>(), samples = new ArrayList<>();
        for (int p = dataOff; p < dataOff + dataSize; ) {
            int type = src.getInt(p), size = src.getShort(p + 6) & 0xffff;
            if (size < 8) throw new IOException(in + ": bad record at " + p);
            byte[] rec = new byte[size];
            src.get(p, rec);
            if (type == 9) samples.add(rec);
            else if (samples.isEmpty() && type != 68 && type < 64) prologue.add(rec);
            else if (type == 81) throw new IOException(in + ": compressed (perf record -z) input is not supported");
            p += size;
        }
        if (samples.isEmpty()) throw new IOException(in + ": no samples");
        long t0 = ByteBuffer.wrap(samples.get(0)).order(ByteOrder.LITTLE_ENDIAN).getLong(timeAt);

        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(104).order(ByteOrder.LITTLE_ENDIAN);
            ch.write(header, 0); // placeholder, written last
            long pos = 104;
            // attributes and their ids, ids first
            List<Long> idsAt = new ArrayList<>();
            for (long a = 0; a < attrsSize / attrSize; a++) {
                int e = (int) (attrsOff + a * attrSize);
                long off = src.getLong(e + (int) attrSize - 16), size = src.getLong(e + (int) attrSize - 8);
                ch.write(ByteBuffer.wrap(src.array(), (int) off, (int) size), pos);
                idsAt.add(pos);
                pos += size;
            }
            long newAttrs = pos;
            ByteBuffer attrs = ByteBuffer.allocate((int) attrsSize).order(ByteOrder.LITTLE_ENDIAN);
            attrs.put(0, src.array(), (int) attrsOff, (int) attrsSize);
            for (int a = 0; a < idsAt.size(); a++) attrs.putLong((int) (a * attrSize + attrSize - 16), idsAt.get(a));
            ch.write(attrs, pos);
            pos += attrsSize;
            long newData = pos;
            long written = 0;
            // not closed: closing it would close the channel, which still gets the features and header
            OutputStream o = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch.position(pos)), 1 << 20);
            {
                for (byte[] r : prologue) { o.write(r); pos += r.length; }
                byte[] round = {68, 0, 0, 0, 0, 0, 8, 0};
                int next = 0;
                long step = 1000; // 1 µs between consecutive samples on the whole machine
                long t = t0;
                while (written < events) {
                    int k = (int) Math.min(perRound, (events - written + cpus - 1) / cpus);
                    for (int c = 0; c < cpus && written < events; c++) {
                        for (int j = 0; j < k && written < events; j++) {
                            byte[] s = samples.get(next);
                            next = (next + 1) % samples.size();
                            ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
                            b.putLong(timeAt, t + ((long) j * cpus + c) * step);
                            b.putInt(cpuAt, c);
                            o.write(s);
                            pos += s.length;
                            written++;
                        }
                    }
                    t += (long) k * cpus * step;
                    o.write(round);
                    pos += 8;
                }
                o.flush();
            }
            long dataSizeOut = pos - newData;
            // feature sections copied as they are, after the data; their table first
            long[] bitmap = new long[4];
            for (int i = 0; i < 4; i++) bitmap[i] = src.getLong(72 + 8 * i);
            int nf = 0;
            for (int bit = 0; bit < 256; bit++) if ((bitmap[bit / 64] & (1L << (bit % 64))) != 0) nf++;
            int tableAt = dataOff + dataSize;
            ByteBuffer table = ByteBuffer.allocate(16 * nf).order(ByteOrder.LITTLE_ENDIAN);
            long fpos = pos + 16L * nf;
            for (int i = 0; i < nf; i++) {
                long off = src.getLong(tableAt + 16 * i), size = src.getLong(tableAt + 16 * i + 8);
                ch.write(ByteBuffer.wrap(src.array(), (int) off, (int) size), fpos);
                table.putLong(fpos).putLong(size);
                fpos += size;
            }
            table.flip();
            ch.write(table, pos);
            header.clear();
            header.putLong(0x32454c4946524550L).putLong(104).putLong(attrSize).putLong(newAttrs).putLong(attrsSize)
                    .putLong(newData).putLong(dataSizeOut).putLong(0).putLong(0);
            for (long w : bitmap) header.putLong(w);
            header.flip();
            ch.write(header, 0);
            return written;
        }
    }
}
