package io.exitscope.source.tracedat;

import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceDatLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The two zstd decoders of {@link Compression}, the zstd library (zstd-jni) and aircompressor,
 * read every compressed section and chunk of the bundled x86 trace and the shared v7 traces (written
 * by trace-cmd's streaming compressor) into the same bytes, of the size the file
 * states; both say "does not fit" for a byte less, and both reject a chunk cut short.
 */
class CompressionTest {

    /** The Linux architectures whose zstd-jni build the jar keeps (pom.xml, the shade filter). */
    static final List<String> SHIPPED = List.of("amd64", "aarch64", "s390x", "ppc64le", "riscv64", "loongarch64");

    @Test
    void theLibraryLoadsOnLinux() {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").equals("Linux") && SHIPPED.contains(arch),
                "zstd-jni ships no build for " + System.getProperty("os.name") + "/" + arch + ": aircompressor decodes there");
        assertTrue(Compression.NativeZstd.LOADED, "zstd-jni's native library did not load (temp dir not executable?)");
    }

    @Test
    void bothDecodersReadEveryChunkAlike() throws IOException {
        assumeTrue(Compression.NativeZstd.LOADED, "zstd-jni's native library is not loaded here: nothing to compare");
        // the little-endian ones (the test-side layout walks no other; the s390 traces are big-endian)
        List<Path> files = new ArrayList<>(List.of(Path.of("traces/pvm-ioeventfd-ab.dat")));
        for (String f : List.of("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat", "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat")) {
            Path p = SharedTraces.ROOT.resolve(f);
            if (Files.isRegularFile(p)) files.add(p);
        }
        int compared = 0;
        for (Path file : files) {
            byte[] d = Files.readAllBytes(file);
            TraceDatLayout l = TraceDatLayout.parse(d);
            assertEquals("zstd", l.compression, file + " is a zstd file");
            for (TraceDatLayout.Section s : l.sections) {
                if (s.compressed()) {
                    compare(d, s.dataOffset(), (int) s.csize(), (int) s.usize(), file + " section @" + s.offset());
                    compared++;
                }
            }
            for (TraceDatLayout.Buffer b : l.buffers) {
                for (TraceDatLayout.Cpu c : b.cpus) {
                    for (TraceDatLayout.Chunk ch : c.chunks) {
                        compare(d, ch.offset() + 8, (int) ch.csize(), (int) ch.usize(), file + " chunk @" + ch.offset());
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 50, "compared " + compared + " compressed blocks");
    }

    private static void compare(byte[] file, long offset, int csize, int usize, String what) {
        byte[] in = Arrays.copyOfRange(file, (int) offset, (int) offset + csize);
        byte[] viaLibrary = new byte[usize], viaJava = new byte[usize];
        assertEquals(usize, Compression.NativeZstd.decompress(in, 0, csize, viaLibrary, 0, usize), what + ": zstd-jni size");
        assertEquals(usize, Compression.decompressZstdJava(in, 0, csize, viaJava, 0, usize), what + ": aircompressor size");
        assertArrayEquals(viaJava, viaLibrary, what + ": the two decoders' bytes");
        assertEquals(-1, Compression.NativeZstd.decompress(in, 0, csize, viaLibrary, 0, usize - 1), what + ": zstd-jni, a byte too small");
        assertEquals(-1, Compression.decompressZstdJava(in, 0, csize, viaJava, 0, usize - 1), what + ": aircompressor, a byte too small");
        int cut = csize / 2;
        assertThrows(IllegalArgumentException.class, () -> Compression.NativeZstd.decompress(in, 0, cut, viaLibrary, 0, usize), what + ": zstd-jni, cut short");
        assertThrows(IllegalArgumentException.class, () -> Compression.decompressZstdJava(in, 0, cut, viaJava, 0, usize), what + ": aircompressor, cut short");
    }
}
