package io.exitscope.view.report;

import io.exitscope.stats.StatsSnapshot;

import java.io.PrintWriter;

/**
 * {@code report --format csv}: one header line, then one row per group. The columns are a stable
 * contract (README): new columns are only ever appended.
 */
public final class CsvReport {
    private CsvReport() {}

    public static final String HEADER = "reason,reason_code,class,subkey,vcpu,vm,count,measured,total_ns,share,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,blocking";

    public static void write(ReportData d, PrintWriter w) {
        w.println(HEADER);
        for (StatsSnapshot.Group g : d.groups) {
            var k = g.key();
            boolean t = g.measured() > 0;
            double share = d.share(g);
            w.println(String.join(",",
                    q(k.reason() == null ? "all" : k.reason()), Long.toString(k.reasonCode()), q(d.classLabel(g)), q(k.subkey()),
                    q(k.vcpu()), q(k.vm()), Long.toString(g.count()), Long.toString(g.measured()), Long.toString(g.totalNs()),
                    Double.isNaN(share) ? "" : String.format("%.6f", share),
                    t ? Long.toString(g.percentile(50)) : "", t ? Long.toString(g.percentile(90)) : "",
                    t ? Long.toString(g.percentile(99)) : "", t ? Long.toString(g.percentile(99.9)) : "",
                    t ? Long.toString(g.max()) : "", Boolean.toString(g.blocking())));
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
