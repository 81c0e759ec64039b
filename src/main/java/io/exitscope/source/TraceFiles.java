package io.exitscope.source;

import io.exitscope.source.perfdata.PerfDataReader;
import io.exitscope.source.perfdata.PerfDataSource;
import io.exitscope.source.text.TextTraceSource;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.source.tracedat.TraceDatSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens a trace file of any supported format, detecting the format from its first bytes. */
public final class TraceFiles {
    private TraceFiles() {}

    public static TraceSource open(Path path, InputFormat format) throws IOException {
        return open(path, format, 1);
    }

    /**
     * @param decodeThreads threads that decode a trace.dat's CPUs besides the reading thread
     *                      ({@link TraceDatReader#events(int)}); 1: all on the reading thread
     */
    public static TraceSource open(Path path, InputFormat format, int decodeThreads) throws IOException {
        String name = path.toString();
        BinaryFile.requireReadableFile(path);
        if (format == InputFormat.TRACE_DAT) return new TraceDatSource(path, decodeThreads);
        if (format == InputFormat.PERF_DATA) return new PerfDataSource(path);
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(name, 0, "no such file");
        }
        if (n == 0) throw new TraceFormatException(name, 0, "empty file");
        if (format == InputFormat.AUTO && TraceDatReader.looksLikeTraceDat(head, n)) return new TraceDatSource(path, decodeThreads);
        if (format == InputFormat.AUTO && PerfDataReader.looksLikePerfData(head, n)) return new PerfDataSource(path);
        if (format == InputFormat.AUTO && n >= 3 && head[0] == 0x17 && head[1] == 0x08 && head[2] == 0x44) {
            return new TraceDatSource(path, decodeThreads); // damaged magic: let the reader say where
        }
        return TextTraceSource.open(path, format);
    }
}
