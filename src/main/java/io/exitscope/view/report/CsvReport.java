package io.exitscope.view.report;

import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;

import java.util.ArrayList;
import java.util.List;

import java.io.PrintWriter;

/**
 * {@code report --format csv}: one header line, then one row per group. The columns are a stable
 * contract (README): new columns are only ever appended.
 */
public final class CsvReport {
    private CsvReport() {}

    public static final String HEADER = "reason,reason_code,class,subkey,vcpu,vm,count,measured,total_ns,share,"
            + String.join(",", Percentile.SHOWN.stream().map(Percentile::nsField).toList()) + ",max_ns,blocking";

    public static void write(ReportData d, PrintWriter w) {
        w.println(HEADER);
        for (StatsSnapshot.Group g : d.groups) {
            var k = g.key();
            boolean t = g.measured() > 0;
            double share = d.share(g);
            List<String> row = new ArrayList<>(List.of(
                    q(k.reason() == null ? "all" : k.reason()), Long.toString(k.reasonCode()), q(d.classLabel(g)), q(k.subkey()),
                    q(k.vcpu()), q(k.vm()), Long.toString(g.count()), Long.toString(g.measured()), Long.toString(g.totalNs()),
                    Double.isNaN(share) ? "" : String.format("%.6f", share)));
            for (Percentile p : Percentile.SHOWN) row.add(t ? Long.toString(g.percentile(p.value)) : "");
            row.add(t ? Long.toString(g.max()) : "");
            row.add(Boolean.toString(g.blocking()));
            w.println(String.join(",", row));
        }
        w.flush();
    }

    /** RFC 4180 quoting where needed. */
    static String q(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
