package io.exitscope.triage;

import io.exitscope.event.HeaderPage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --on-threshold parsing, the no-shell word splitting, the page ring and its compaction. */
class ThresholdActionTest {

    @Test
    void actions() {
        ThresholdAction.Record r = (ThresholdAction.Record) ThresholdAction.parse("record,file=/tmp/x.dat,before=2s,after=500ms");
        assertEquals(Path.of("/tmp/x.dat"), r.file());
        assertEquals(2_000_000_000L, r.beforeNs());
        assertEquals(500_000_000L, r.afterNs());
        ThresholdAction.Record d = (ThresholdAction.Record) ThresholdAction.parse("record");
        assertEquals(ThresholdAction.DEFAULT_BEFORE_NS, d.beforeNs());
        assertEquals(List.of("/usr/bin/logger", "-t", "exit scope", "$HOME"),
                ((ThresholdAction.Exec) ThresholdAction.parse("exec /usr/bin/logger -t 'exit scope' $HOME")).command());
        assertEquals(List.of("/bin/true"), ((ThresholdAction.Exec) ThresholdAction.parse("exec,cmd=/bin/true")).command());
        assertInstanceOf(ThresholdAction.Stop.class, ThresholdAction.parse("stop"));
        assertInstanceOf(ThresholdAction.Continue.class, ThresholdAction.parse("CONTINUE"));
        for (String bad : List.of("exec", "execute x", "record,size=3", "record,before=soon", "shell", "exec 'unterminated")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThresholdAction.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--on-threshold"), e.getMessage());
        }
    }

    @Test
    void configureChecksBeforeAnythingStarts() {
        assertThrows(IllegalArgumentException.class, () -> LiveHooks.configure(null, List.of("stop"), null, null));
        assertThrows(FailExpr.SyntaxError.class, () -> LiveHooks.configure("p99() >", List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> LiveHooks.configure(null, List.of(), "nohost:port", null));
        assertThrows(IllegalArgumentException.class, () -> LiveHooks.configure(null, List.of(), null, Path.of("/no/such/dir/x.hlog")));
        assertTrue(LiveHooks.configure("lost > 0", List.of("exec /bin/true"), null, null).stopsOnCrossing());
        assertTrue(!LiveHooks.configure("lost > 0", List.of("continue"), null, null).stopsOnCrossing());
    }

    @Test
    void ringKeepsRecentPagesWithinItsBudget() {
        long[] now = {0};
        PageRing ring = new PageRing(1_000, 3 * 100, () -> now[0]);
        for (int i = 0; i < 5; i++) {
            now[0] = i * 300L;
            ring.accept(i % 2, new byte[100]);
        }
        // retention 1000 ns at t=1200: pages from t >= 200 remain, at most 3 by bytes
        assertEquals(3, ring.since(-1_000_000).size());
        assertEquals(2, ring.since(700).size());
        assertEquals(300, ring.bytes());
    }

    @Test
    void compactionKeepsHeaderDataAndStoredMissedCount() {
        HeaderPage hp = new HeaderPage(0, 8, 8, 16, 4080);
        byte[] page = new byte[4096];
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(8, 100);
        assertEquals(116, PageRing.compact(page, hp, false).length);
        b.putLong(8, 100 | (1L << 31) | (1L << 30)); // missed events, count stored after the data
        assertEquals(124, PageRing.compact(page, hp, false).length);
        b.putLong(8, 4080);
        assertEquals(4096, PageRing.compact(page, hp, false).length);
    }
}
